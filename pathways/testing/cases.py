"""The base TestCase: a practice with a user per role."""

from __future__ import annotations

import time

from django.test import Client as DjangoClient
from django.test import TestCase

from accounts.models import Role, User
from accounts.reauth import PASSWORD_AT, SECOND_FACTOR_AT
from partners.models import Partner
from pathways.testing.builders import make_partner, make_prescriber, make_service, make_user
from website.models import Service


class BaseTestCase(TestCase):
    """A practice with one user per role, a second therapist, and two partner
    organisations, each with a prescriber."""

    admin: User
    intake: User
    therapist: User
    therapist2: User
    prescriber: User
    prescriber2: User
    partner: Partner
    partner2: Partner
    service: Service

    @classmethod
    def setUpTestData(cls) -> None:
        cls.partner = make_partner("Blue Ridge Psychiatry")
        cls.partner2 = make_partner("Tidewater Medication Management")
        cls.admin = make_user("admin", Role.ADMIN, is_staff=True, is_superuser=True)
        cls.intake = make_user("intake", Role.INTAKE)
        cls.therapist = make_user("therapist", Role.THERAPIST, first_name="Theo")
        cls.therapist2 = make_user("therapist2", Role.THERAPIST, first_name="Tess")
        cls.prescriber = make_prescriber("prescriber", cls.partner)
        cls.prescriber2 = make_prescriber("prescriber2", cls.partner2)
        cls.service = make_service("kap", title="Ketamine-Assisted Psychotherapy (KAP)")


def reauthenticate(client: DjangoClient) -> None:
    """Mark the test client's session as having typed the password and the code just
    now (accounts.reauth): force_login alone is not proof that anyone typed anything,
    so the pages behind @reauth_required would ask for it first."""
    session = client.session
    session[PASSWORD_AT] = session[SECOND_FACTOR_AT] = time.time()
    session.save()
