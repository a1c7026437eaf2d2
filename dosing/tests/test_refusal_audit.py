"""A refused dose leaves a committed audit entry with the keys of what failed,
though nothing of the dose itself is written: the refusal is the record that
someone tried. Run outside a test transaction (TransactionTestCase), so that
"committed" means committed: the entry is there once the service's own
transaction is over and rolled back nothing it needed."""

from __future__ import annotations

from django.db import connection
from django.test import TransactionTestCase

from accounts.models import Role
from audit.models import AuditEvent
from dosing import services
from dosing.models import Administration
from dosing.tests.support import cleared, give_dose, open_record
from pathways.testing import make_partner, make_prescriber, make_user

REFUSED = "dosing.administer_refused"


class RefusedDoseAuditTests(TransactionTestCase):
    def setUp(self) -> None:
        partner = make_partner("Blue Ridge Psychiatry")
        self.therapist = make_user("therapist", Role.THERAPIST)
        self.witness = make_user("admin", Role.ADMIN)
        prescriber = make_prescriber("prescriber", partner)
        _ready, self.record = open_record(self.therapist, prescriber, partner)
        cleared(self.record, self.therapist)

    def test_it_commits_the_audit_of_an_over_limit_dose(self) -> None:
        with self.assertRaises(services.DosingError) as refused:
            give_dose(self.record, self.therapist, self.witness, mg="150")

        self.assertIn("cannot exceed", str(refused.exception))
        self.assertFalse(connection.in_atomic_block)  # nothing left open to commit later
        self.assertFalse(Administration.objects.exists())
        event = AuditEvent.objects.get(action=REFUSED)
        self.assertEqual(event.actor, self.therapist)
        self.assertEqual(event.detail, {"kind": "dose", "refusals": 1, "failed": ["amount"]})
        # Keys only: the sentence shown to the person is not in the trail.
        self.assertNotIn("exceed", str(event.detail))

    def test_it_records_each_key_of_a_refusal_for_several_reasons(self) -> None:
        with self.assertRaises(services.DosingError):
            give_dose(self.record, self.therapist, self.therapist, mg="150")

        event = AuditEvent.objects.get(action=REFUSED)
        self.assertEqual(
            event.detail, {"kind": "dose", "refusals": 2, "failed": ["amount", "people"]}
        )
