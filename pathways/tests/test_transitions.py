"""Every status enum has one transition table, and the shared check follows it."""

from __future__ import annotations

from django.test import SimpleTestCase

from amendments.models import AMENDMENT_TRANSITIONS, AmendmentStatus
from clients.models import CLIENT_TRANSITIONS, ClientStatus
from common.transitions import TransitionError, check_transition, table_problems
from intake.models import REQUEST_TRANSITIONS, RequestStatus
from notifications.models import EMAIL_TRANSITIONS, OutboundEmail
from partners.models import REFERRAL_TRANSITIONS, ReferralStatus
from prescriptions.models import RX_TRANSITIONS, RxStatus
from scheduling.models import APPOINTMENT_TRANSITIONS, AppointmentStatus
from treatment.models import COURSE_TRANSITIONS, SESSION_TRANSITIONS, CourseStatus, SessionStatus

TABLES = [
    (REQUEST_TRANSITIONS, RequestStatus),
    (APPOINTMENT_TRANSITIONS, AppointmentStatus),
    (RX_TRANSITIONS, RxStatus),
    (REFERRAL_TRANSITIONS, ReferralStatus),
    (COURSE_TRANSITIONS, CourseStatus),
    (SESSION_TRANSITIONS, SessionStatus),
    (CLIENT_TRANSITIONS, ClientStatus),
    (EMAIL_TRANSITIONS, OutboundEmail.Status),
    (AMENDMENT_TRANSITIONS, AmendmentStatus),
]


class TransitionTableTests(SimpleTestCase):
    def test_it_has_a_row_for_every_status_and_no_unknown_target(self) -> None:
        for table, enum in TABLES:
            with self.subTest(enum=enum.__name__):
                self.assertEqual(table_problems(table, enum.values), [])

    def test_it_finds_a_missing_row_and_an_unknown_target(self) -> None:
        table = {"a": ("b", "z")}
        self.assertEqual(
            table_problems(table, ["a", "b"]), ["no row for 'b'", "'a' -> unknown 'z'"]
        )


class CheckTransitionTests(SimpleTestCase):
    def test_it_allows_a_move_in_the_table(self) -> None:
        check_transition(SESSION_TRANSITIONS, SessionStatus.PLANNED, SessionStatus.CANCELLED)

    def test_it_refuses_a_move_not_in_the_table(self) -> None:
        with self.assertRaises(TransitionError):
            check_transition(SESSION_TRANSITIONS, SessionStatus.COMPLETED, SessionStatus.PLANNED)

    def test_it_raises_the_callers_error(self) -> None:
        error = LookupError("Only a planned session can be cancelled.")
        with self.assertRaises(LookupError) as raised:
            check_transition(
                SESSION_TRANSITIONS, SessionStatus.COMPLETED, SessionStatus.CANCELLED, error=error
            )
        self.assertIs(raised.exception, error)
