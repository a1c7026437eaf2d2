"""Sessions and courses are numbered per client and course ("KAP course 1, dosing 2
of 6"), never by database id, which runs across every client of the practice."""

from __future__ import annotations

from pathways.testing import BaseTestCase, make_client, make_course, make_session
from treatment.models import Modality, SessionKind, SessionStatus


class NumberingTests(BaseTestCase):
    def test_it_numbers_sessions_per_course_and_kind(self) -> None:
        # Another client's sessions come first in the table: they must not count.
        other = make_course(client=make_client(first_name="Other"), created_by=self.therapist)
        make_session(course=other, kind=SessionKind.DOSING)
        make_session(course=other, kind=SessionKind.DOSING)
        course = make_course(
            client=make_client(), created_by=self.therapist, modality=Modality.KAP
        )
        make_session(course=course, kind=SessionKind.PREPARATION)
        first = make_session(course=course, kind=SessionKind.DOSING)
        second = make_session(course=course, kind=SessionKind.DOSING)

        self.assertEqual(first.label, "KAP course 1, dosing 1 of 6")
        self.assertEqual(str(second), "KAP course 1, dosing 2 of 6")
        self.assertEqual(second.short_label, "Dosing 2 of 6")

    def test_it_gives_a_cancelled_sessions_number_to_its_replacement(self) -> None:
        course = make_course(client=make_client(), created_by=self.therapist)
        cancelled = make_session(
            course=course, kind=SessionKind.DOSING, status=SessionStatus.CANCELLED
        )
        replacement = make_session(course=course, kind=SessionKind.DOSING)

        self.assertEqual(cancelled.short_label, "Dosing (cancelled)")
        self.assertEqual(replacement.short_label, "Dosing 1 of 6")

    def test_it_numbers_a_clients_courses_by_modality(self) -> None:
        client = make_client()
        kap_1 = make_course(client=client, created_by=self.therapist, modality=Modality.KAP)
        emdr_1 = make_course(client=client, created_by=self.therapist, modality=Modality.KA_EMDR)
        kap_2 = make_course(client=client, created_by=self.therapist, modality=Modality.KAP)

        self.assertEqual(
            [str(kap_1), str(emdr_1), str(kap_2)],
            ["KAP course 1", "KA-EMDR course 1", "KAP course 2"],
        )

    def test_it_counts_beyond_the_plan_when_more_sessions_are_held(self) -> None:
        course = make_course(client=make_client(), created_by=self.therapist, planned_dosing=1)
        make_session(course=course, kind=SessionKind.DOSING)
        extra = make_session(course=course, kind=SessionKind.DOSING)

        self.assertEqual(extra.short_label, "Dosing 2 of 2")
