"""The client chart (issue 11): a header of essentials and tabs, each a page of its
own (`/staff/clients/<pk>/<tab>/`), audited as a read with the tab's name."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from accounts.actor import Actor
from audit.models import AuditEvent
from clients.panels import TABS, age_on
from consents.models import ConsentKind
from measures.alerts.safety import alert_raise_for_response
from measures.tests.factories import make_instrument, make_response
from pathways.testing import (
    BaseTestCase,
    make_client,
    make_course,
    make_session,
    make_signed_consent,
)
from treatment.models import SessionKind, SessionStatus


def tab_url(pk: int, tab: str) -> str:
    return f"/staff/clients/{pk}/" if tab == "overview" else f"/staff/clients/{pk}/{tab}/"


class ChartTabsTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(
            first_name="Marta",
            last_name="Quill",
            date_of_birth=dt.date(1984, 3, 9),
            assigned_therapist=self.therapist,
        )

    def test_it_shows_each_tab_to_the_roles_that_see_the_client(self) -> None:
        for user in (self.therapist, self.intake, self.admin):
            self.client.force_login(user)
            for tab, label in TABS:
                with self.subTest(user=user.username, tab=tab):
                    response = self.client.get(tab_url(self.record.pk, tab))
                    assert response.status_code == 200
                    self.assertContains(response, f"<title>{label} · Client · Pathways</title>")
                    self.assertContains(
                        response, f'aria-current="page" hx-get="{tab_url(self.record.pk, tab)}"'
                    )
                    self.assertContains(response, 'aria-current="page"', count=1)

    def test_it_answers_404_to_another_therapist_on_every_tab(self) -> None:
        self.client.force_login(self.therapist2)

        for tab, _ in TABS:
            with self.subTest(tab=tab):
                assert self.client.get(tab_url(self.record.pk, tab)).status_code == 404
        assert not AuditEvent.objects.filter(action="client.view").exists()

    def test_it_refuses_the_prescriber(self) -> None:
        self.client.force_login(self.prescriber)

        assert self.client.get(tab_url(self.record.pk, "measures")).status_code == 403

    def test_it_audits_each_tab_as_a_read_with_its_name(self) -> None:
        self.client.force_login(self.therapist)

        for tab, _ in TABS:
            self.client.get(tab_url(self.record.pk, tab))

        events = AuditEvent.objects.filter(action="client.view").order_by("pk")
        assert [e.detail for e in events] == [{"tab": tab} for tab, _ in TABS]
        assert {e.client_id for e in events} == {self.record.pk}
        assert {e.actor for e in events} == {self.therapist}

    def test_it_answers_404_for_a_tab_that_does_not_exist(self) -> None:
        self.client.force_login(self.therapist)

        for tab in ("billing", "Overview", "measures-2"):
            with self.subTest(tab=tab):
                assert (
                    self.client.get(f"/staff/clients/{self.record.pk}/{tab}/").status_code == 404
                )
        assert not AuditEvent.objects.filter(action="client.view").exists()

    def test_it_keeps_edit_a_page_of_its_own_not_a_tab(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.get(f"/staff/clients/{self.record.pk}/edit/")

        self.assertTemplateUsed(response, "clients/edit.html")

    def test_it_renders_the_whole_page_for_each_tab_with_only_its_panels(self) -> None:
        make_course(self.record, self.therapist)
        self.client.force_login(self.therapist)

        overview = self.client.get(tab_url(self.record.pk, "overview"))
        course = self.client.get(tab_url(self.record.pk, "course"))
        timeline = self.client.get(tab_url(self.record.pk, "timeline"))

        # Each is a whole page (it works without JavaScript) with the tab bar.
        for response in (overview, course, timeline):
            self.assertContains(response, '<nav class="chart-tabs" aria-label="Client chart">')
            self.assertContains(response, 'id="client-name"')
        self.assertContains(overview, "Diagnoses, medications, allergies")
        self.assertNotContains(overview, "Treatment courses")
        self.assertContains(course, "Treatment courses")
        self.assertNotContains(course, "Diagnoses, medications, allergies")
        self.assertContains(timeline, 'id="timeline-title"')
        self.assertNotContains(course, 'id="timeline-title"')

    def test_it_keeps_phi_out_of_the_tab_urls(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.get(tab_url(self.record.pk, "overview"))

        for _, url in [(tab, tab_url(self.record.pk, tab)) for tab, _ in TABS]:
            self.assertContains(response, f'href="{url}"')
            assert "Marta" not in url
            assert "Quill" not in url


class ChartHeaderTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(
            first_name="Marta",
            last_name="Quill",
            date_of_birth=dt.date(1984, 3, 9),
            assigned_therapist=self.therapist,
        )
        self.client.force_login(self.therapist)

    def header(self, today: dt.date | None = None) -> str:
        with mock.patch(
            "clients.views.timezone.localdate", return_value=today or dt.date(2026, 12, 1)
        ):
            html = self.client.get(f"/staff/clients/{self.record.pk}/").content.decode()
        return html.split('<header class="chart-header"')[1].split("</header>")[0]

    def test_it_computes_the_age_from_the_date_of_birth(self) -> None:
        assert age_on(dt.date(1984, 3, 9), dt.date(2026, 3, 8)) == 41
        assert age_on(dt.date(1984, 3, 9), dt.date(2026, 3, 9)) == 42
        assert age_on(dt.date(2000, 2, 29), dt.date(2026, 2, 28)) == 25
        assert age_on(dt.date(2000, 2, 29), dt.date(2026, 3, 1)) == 26
        assert age_on(None, dt.date(2026, 3, 1)) is None

    def test_it_shows_the_age_on_the_practice_day(self) -> None:
        assert "<dt>Age</dt><dd>41</dd>" in self.header(dt.date(2026, 3, 8))
        assert "<dt>Age</dt><dd>42</dd>" in self.header(dt.date(2026, 3, 9))

    def test_it_says_when_the_birth_date_is_not_recorded(self) -> None:
        self.record.date_of_birth = None
        self.record.save()

        assert "<dt>Age</dt><dd>Not recorded</dd>" in self.header()

    def test_it_names_the_therapist_the_modality_and_the_course_progress(self) -> None:
        course = make_course(self.record, self.therapist)
        make_session(course, SessionKind.PREPARATION, status=SessionStatus.COMPLETED)
        make_session(course, SessionKind.DOSING, status=SessionStatus.COMPLETED)
        make_session(course, SessionKind.DOSING, planned_date=dt.date(2026, 12, 8))

        header = self.header()

        assert "<dt>Therapist</dt><dd>Theo</dd>" in header
        assert "<dt>Modality</dt><dd>KAP</dd>" in header
        assert (
            "KAP course 1 (planned): preparation 1 of 3, dosing 1 of 6, integration 0 of 6 done"
            in header
        )
        assert "Dosing 2 of 6, 2026-12-08" in header

    def test_it_counts_the_open_safety_alerts(self) -> None:
        assert "<dt>Safety alerts</dt><dd>None open</dd>" in self.header()
        instrument = make_instrument()
        for value in (1, 2):
            response = make_response(self.record, instrument, q9=value)
            alert_raise_for_response(actor=Actor.system(), response=response)

        header = self.header()

        assert "2 open</a>" in header
        assert 'class="flagged"' in header
        assert f'href="/staff/clients/{self.record.pk}/#safety-alerts-panel"' in header

    def test_it_lists_the_consents_in_force(self) -> None:
        assert "None in force" in self.header()
        make_signed_consent(self.record, ConsentKind.KAP)

        header = self.header()

        assert "<dt>Consents in force</dt>" in header
        assert "None in force" not in header
        assert f'href="/staff/clients/{self.record.pk}/consents/"' in header
