"""Registered from measures/apps.py; filled in by the measures work."""
