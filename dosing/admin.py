"""Dosing records are not in the admin: they hold PHI, are read through the
audited views, and change only through dosing.services."""
