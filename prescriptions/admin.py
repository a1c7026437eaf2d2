"""No admin for prescriptions, on purpose.

Prescriptions are written only by prescribers in the partner portal, through
audited services; the practice reads them on the audited staff pages. An admin
page would be a second, unaudited way to read or change them.
"""
