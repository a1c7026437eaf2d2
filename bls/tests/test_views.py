from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from bls.models import EmdrRecord, Phase
from clients.panels import timeline_for
from clients.tests.support import own_providers_only
from pathways.testing import BaseTestCase, make_client, make_course, make_session
from treatment.models import Modality, SessionKind

from .support import make_emdr_appointment, make_emdr_session, mark


class RecordPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        self.record = self.emdr.record
        self.url = f"/staff/emdr/{self.record.pk}/"

    def test_it_shows_every_section_to_the_therapist_and_audits_the_read(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.get(self.url)

        assert response.status_code == 200
        for section in ("phases", "assessment", "sets", "closing", "timeline"):
            self.assertContains(response, f'id="{section}"')
        self.assertContains(response, "Save the assessment")
        self.assertContains(response, "Log the set")
        self.assertContains(response, "Save the closing")
        self.assertContains(response, f'src="/staff/emdr/{self.record.pk}/timeline.svg?v=')
        self.assertContains(response, "Quinn Marlowe")
        event = AuditEvent.objects.get(action="emdr.view")
        assert event.object_id == str(self.record.pk)
        assert event.client_id == self.emdr.client.pk

    def test_it_refuses_the_intake_coordinator_the_record(self) -> None:
        # Minimum necessary: the target memory and cognitions are for clinicians, as
        # the dosing record is.
        EmdrRecord.objects.filter(pk=self.record.pk).update(target_memory="The crash.")
        self.client.force_login(self.intake)

        response = self.client.get(self.url)

        assert response.status_code == 403
        self.assertNotContains(response, "The crash.", status_code=403)
        svg = self.client.get(f"{self.url}timeline.svg")
        assert svg.status_code in (403, 404)

    def test_it_answers_404_for_another_therapists_client(self) -> None:
        self.client.force_login(self.therapist2)

        assert self.client.get(self.url).status_code == 404
        assert self.client.get("/staff/emdr/999999/").status_code == 404
        assert not AuditEvent.objects.filter(action="emdr.view").exists()

    def test_it_refuses_the_prescriber(self) -> None:
        self.client.force_login(self.prescriber)

        assert self.client.get(self.url).status_code == 403

    def test_it_changes_the_chart_address_when_the_data_changes(self) -> None:
        self.client.force_login(self.therapist)
        before = self.client.get(self.url).content.decode()

        mark(self.record, Phase.HISTORY, self.emdr.start, self.therapist)
        after = self.client.get(self.url).content.decode()

        def src(html: str) -> str:
            return html.split("timeline.svg?v=")[1].split('"')[0]

        assert src(before) != src(after)

    def test_it_shows_the_record_of_an_emdr_appointment(self) -> None:
        appointment = make_emdr_appointment(self.emdr.client, self.therapist, timezone.now())
        record = EmdrRecord.objects.create(appointment=appointment, created_by=self.therapist)
        self.client.force_login(self.therapist)

        response = self.client.get(f"/staff/emdr/{record.pk}/")

        self.assertContains(response, "EMDR without ketamine")
        self.assertNotContains(response, "Dose timing")


class ClientPanelTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        # The client page with clients', treatment's and this app's panels only.
        own_providers_only(self, "bls")
        self.emdr = make_emdr_session(self.therapist, self.prescriber, self.partner, record=False)

    def page(self, user: User | None = None) -> str:
        self.client.force_login(user or self.therapist)
        response = self.client.get(f"/staff/clients/{self.emdr.client.pk}/course/")
        assert response.status_code == 200
        return response.content.decode()

    def test_it_offers_to_open_a_record_for_each_ka_emdr_session(self) -> None:
        html = self.page()

        assert "EMDR records" in html
        assert f'action="/staff/emdr/new/{self.emdr.session.pk}/"' in html
        # The finished preparation session of the course too.
        prep = self.emdr.session.course.sessions.get(kind=SessionKind.PREPARATION)
        assert f'action="/staff/emdr/new/{prep.pk}/"' in html

    def test_it_lists_the_records_with_their_current_phase(self) -> None:
        record = EmdrRecord.objects.create(session=self.emdr.session, created_by=self.therapist)
        mark(record, Phase.DESENSITISATION, self.emdr.start, self.therapist)

        html = self.page()

        assert f'<a href="/staff/emdr/{record.pk}/">EMDR record of the dosing session</a>' in html
        assert "phase 4 Desensitisation" in html
        assert f'action="/staff/emdr/new/{self.emdr.session.pk}/"' not in html

    def test_it_shows_the_intake_coordinator_no_emdr_section(self) -> None:
        EmdrRecord.objects.create(session=self.emdr.session, created_by=self.therapist)

        html = self.page(self.intake)

        assert "EMDR records" not in html
        assert "/staff/emdr/" not in html.split("timeline")[0]

    def test_it_stays_away_from_a_kap_only_client(self) -> None:
        client = make_client(assigned_therapist=self.therapist)
        make_session(make_course(client, self.therapist, modality=Modality.KAP))
        self.client.force_login(self.therapist)

        response = self.client.get(f"/staff/clients/{client.pk}/course/")

        self.assertNotContains(response, "EMDR records")

    def test_it_adds_phase_marks_to_the_client_timeline_without_free_text(self) -> None:
        record = EmdrRecord.objects.create(
            session=self.emdr.session, created_by=self.therapist, target_memory="The crash."
        )
        mark(record, Phase.ASSESSMENT, self.emdr.start + dt.timedelta(minutes=5), self.therapist)

        texts = [e.text for e in timeline_for(self.emdr.client) if e.kind == "emdr"]

        assert sorted(texts) == ["EMDR phase 3 Assessment", "EMDR record opened"]
        assert "The crash." not in self.page()


class QueryCountTestCase(BaseTestCase):
    def test_it_reads_the_record_page_in_a_fixed_number_of_queries(self) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from .support import add_set, give

        emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        give(emdr.session, self.therapist, emdr.start)
        self.client.force_login(self.therapist)
        url = f"/staff/emdr/{emdr.record.pk}/"

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert self.client.get(url).status_code == 200
            return len(queries)

        add_set(emdr.record, 1, emdr.start, self.therapist, 5)
        mark(emdr.record, Phase.ASSESSMENT, emdr.start, self.therapist)
        one = count()
        for number in range(2, 7):
            add_set(emdr.record, number, emdr.start, self.therapist, 4)
            mark(emdr.record, Phase.DESENSITISATION, emdr.start, self.therapist)

        assert count() == one
