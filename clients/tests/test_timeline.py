from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from clients.models import Client, Diagnosis
from clients.panels import TimelineEntry
from intake.models import AppointmentRequest, RequestStatus, StatusChange
from pathways.testing import BaseTestCase, make_client, make_course, make_request, make_session
from treatment.models import SessionKind, SessionStatus, TreatmentCourse, TreatmentSession

from .support import own_providers_only

# Entries of a timeline source another app would list in PATHWAYS_TIMELINE_SOURCES.
EXTRA: list[tuple[int, TimelineEntry]] = []


def extra_source(client: Client) -> list[TimelineEntry]:
    return [entry for pk, entry in EXTRA if pk == client.pk]


class TimelineTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        own_providers_only(self)
        self.t0 = timezone.now() - dt.timedelta(days=30)
        self.record = make_client(first_name="Vera", last_name="Brittain")
        self.record.assigned_therapist = self.therapist
        self.record.save()
        # The timeline is a tab of its own on the chart.
        self.url = f"/staff/clients/{self.record.pk}/timeline/"

    def at(self, days: int) -> dt.datetime:
        return self.t0 + dt.timedelta(days=days)

    def build_history(self) -> None:
        """A client's story, one step a day, each stamped in the past."""
        self.request = request = make_request(client=self.record, status=RequestStatus.CONVERTED)
        AppointmentRequest.objects.filter(pk=request.pk).update(created_at=self.at(0))
        for day, (before, after) in enumerate(
            [("new", "contacted"), ("contacted", "scheduled"), ("scheduled", "converted")],
            start=1,
        ):
            change = StatusChange.objects.create(
                request=request, from_status=before, to_status=after, changed_by=self.intake
            )
            StatusChange.objects.filter(pk=change.pk).update(changed_at=self.at(day))
        Client.objects.filter(pk=self.record.pk).update(created_at=self.at(4))
        diagnosis = Diagnosis.objects.create(
            client=self.record,
            code="F43.10",
            description="Post-traumatic stress disorder, unspecified",
            added_by=self.therapist,
        )
        Diagnosis.objects.filter(pk=diagnosis.pk).update(added_at=self.at(5))
        self.course = make_course(self.record, self.therapist, goals="Private goals text")
        TreatmentCourse.objects.filter(pk=self.course.pk).update(created_at=self.at(6))
        self.prep = make_session(
            self.course,
            SessionKind.PREPARATION,
            status=SessionStatus.COMPLETED,
            started_at=self.at(7),
            completed_at=self.at(8),
        )
        # Planned only: nothing has happened yet, so no entry.
        make_session(self.course, SessionKind.DOSING)

    def timeline(self) -> list[TimelineEntry]:
        self.client.force_login(self.therapist)
        response = self.client.get(self.url)
        assert response.status_code == 200
        self.response = response
        return list(response.context["timeline"])

    def test_it_tells_the_story_newest_first(self) -> None:
        self.build_history()

        entries = self.timeline()

        assert [e.text for e in entries] == [
            "Preparation session completed",
            "Preparation session started",
            "KAP course started",
            "Diagnosis added: F43.10",
            "Client record created",
            "Request moved to “Converted to client”",
            "Request moved to “Scheduled”",
            "Request moved to “Contacted”",
            "Appointment request received",
        ]
        assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
        assert entries[0].at == self.at(8)
        assert entries[-1].at == self.at(0)

    def test_it_renders_the_entries_in_order_with_links(self) -> None:
        self.build_history()

        self.timeline()
        content = self.response.content.decode()

        positions = [
            content.index(text)
            for text in (
                "Preparation session completed",
                "KAP course started",
                "Diagnosis added: F43.10",
                "Client record created",
                "Appointment request received",
            )
        ]
        assert positions == sorted(positions)
        self.assertContains(
            self.response, f'<a href="/staff/courses/{self.course.pk}/">KAP course started</a>'
        )
        self.assertContains(
            self.response,
            f'<a href="/staff/courses/sessions/{self.prep.pk}/">Preparation session started</a>',
        )
        local = timezone.localtime(self.at(8))
        self.assertContains(self.response, f'<time datetime="{local.isoformat()}">')

    def test_it_does_not_link_the_request(self) -> None:
        self.build_history()

        self.timeline()

        self.assertContains(self.response, "Appointment request received</li>", html=False)
        self.assertNotContains(self.response, f"/staff/requests/{self.request.pk}/")

    def test_it_keeps_free_text_out_of_the_timeline(self) -> None:
        self.build_history()

        texts = " ".join(e.text for e in self.timeline())

        assert "Post-traumatic" not in texts
        assert "Private goals" not in texts

    def test_it_shows_a_session_started_but_not_yet_completed(self) -> None:
        course = make_course(self.record, self.therapist)
        session = make_session(
            course,
            SessionKind.INTEGRATION,
            status=SessionStatus.IN_PROGRESS,
            started_at=timezone.now(),
        )

        texts = [e.text for e in self.timeline()]

        assert "Integration session started" in texts
        assert "Integration session completed" not in texts
        assert TreatmentSession.objects.get(pk=session.pk).completed_at is None

    def test_it_starts_with_the_record_alone(self) -> None:
        assert [e.text for e in self.timeline()] == ["Client record created"]

    def test_it_includes_entries_another_app_lists(self) -> None:
        self.build_history()
        record = self.record

        at = self.at(5) + dt.timedelta(hours=12)
        EXTRA.append((record.pk, TimelineEntry(at, "measure", "PHQ-9 taken")))
        self.addCleanup(EXTRA.clear)
        sources = [*settings.PATHWAYS_TIMELINE_SOURCES, f"{__name__}.extra_source"]
        with override_settings(PATHWAYS_TIMELINE_SOURCES=sources):
            texts = [e.text for e in self.timeline()]

        assert texts.count("PHQ-9 taken") == 1
        assert texts.index("KAP course started") < texts.index("PHQ-9 taken")
        assert texts.index("PHQ-9 taken") < texts.index("Diagnosis added: F43.10")
        self.assertContains(self.response, "PHQ-9 taken")

    def test_it_shows_no_entries_of_another_client(self) -> None:
        other = make_client(first_name="Other", assigned_therapist=self.therapist)
        Diagnosis.objects.create(
            client=other, code="F41.1", description="x", added_by=self.therapist
        )
        make_course(other, self.therapist, modality="ka_emdr")

        texts = [e.text for e in self.timeline()]

        assert texts == ["Client record created"]

    def test_it_shows_the_most_recent_entries_a_page_at_a_time(self) -> None:
        # 120 entries a day apart, and the record's own: the newest 50 first, a link
        # to the older ones.
        for day in range(120):
            entry = TimelineEntry(self.at(day) - dt.timedelta(days=200), "measure", f"E{day}")
            EXTRA.append((self.record.pk, entry))
        self.addCleanup(EXTRA.clear)
        sources = [*settings.PATHWAYS_TIMELINE_SOURCES, f"{__name__}.extra_source"]
        with override_settings(PATHWAYS_TIMELINE_SOURCES=sources):
            first = [e.text for e in self.timeline() if e.text.startswith("E")]
            self.assertContains(self.response, '?page=2" rel="next">Older entries</a>')
            self.assertContains(self.response, "Entries 1–50 of 121")
            self.url += "?page=3"
            last = [e.text for e in self.timeline() if e.text.startswith("E")]

        self.assertEqual(first, [f"E{day}" for day in range(119, 70, -1)])
        self.assertEqual(last, [f"E{day}" for day in range(20, -1, -1)])
        self.assertContains(self.response, '?page=2" rel="prev">Newer entries</a>')
        self.assertNotContains(self.response, "Older entries")
