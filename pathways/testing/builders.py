"""The factories most tests need, gathered from each app's tests/factories.py (an
app's factories live with the app whose models they make; this module only names
them in one place, so that a test imports them from pathways.testing)."""

from accounts.tests.factories import PASSWORD, make_user
from clients.tests.factories import make_client, make_grant, name_for_break_glass
from consents.tests.factories import make_consent_request, make_document, make_signed_consent
from intake.tests.factories import make_message, make_request
from partners.tests.factories import make_partner, make_prescriber, make_referral
from prescriptions.tests.factories import make_prescription
from treatment.tests.factories import make_course, make_session
from website.tests.factories import make_service

__all__ = [
    "PASSWORD",
    "make_client",
    "make_consent_request",
    "make_course",
    "make_document",
    "make_grant",
    "make_message",
    "make_partner",
    "make_prescriber",
    "make_prescription",
    "make_referral",
    "make_request",
    "make_service",
    "make_session",
    "make_signed_consent",
    "make_user",
    "name_for_break_glass",
]
