from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.utils import timezone

from audit.models import AuditEvent
from clients.panels import Panel, panels_for, timeline_for
from pathways.testing import make_client, make_prescription, request_for
from prescriptions.models import RxStatus
from prescriptions.tests.helpers import RxTestCase


class ClientPanelTestCase(RxTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.request = request_for(self.therapist)

    def panel(self) -> Panel | None:
        found = [
            p
            for p in panels_for(self.request, self.rx_client)
            if p.template == "prescriptions/_client_panel.html"
        ]
        return found[0] if found else None

    def render(self, panel: Panel | None) -> str:
        assert panel is not None
        return render_to_string(panel.template, {"panel": panel.context})

    def test_it_shows_the_active_prescription(self) -> None:
        rx = make_prescription(self.referral, self.prescriber, dose_mg=200)

        panel = self.panel()

        assert panel is not None
        assert panel.template == "prescriptions/_client_panel.html"
        assert panel.context["active"] == rx
        html = self.render(panel)
        assert "200.0 mg" in html
        assert "6 of 6" in html
        assert "90/50 to 140/90 mmHg" in html
        assert "No food for 4 hours before." in html
        assert f'href="/staff/prescriptions/{rx.pk}/"' in html
        assert "not valid today" not in html
        event = AuditEvent.objects.get(action="prescription.list")
        assert event.detail == {"prescriptions": [rx.pk]}

    def test_it_says_when_the_active_one_is_not_valid_today(self) -> None:
        make_prescription(
            self.referral,
            self.prescriber,
            valid_from=timezone.localdate() + dt.timedelta(days=3),
        )

        assert "not valid today" in self.render(self.panel())

    def test_it_shows_no_active_prescription_once_discontinued(self) -> None:
        make_prescription(self.referral, self.prescriber, status=RxStatus.DISCONTINUED)

        html = self.render(self.panel())

        assert "No active prescription: no dosing session can start." in html
        assert "Discontinued" in html

    def test_it_adds_nothing_for_a_client_without_prescriptions(self) -> None:
        assert self.panel() is None
        assert not AuditEvent.objects.exists()

    def test_the_timeline_names_each_step_without_free_text(self) -> None:
        v1 = make_prescription(self.referral, self.prescriber, status=RxStatus.SUPERSEDED)
        v2 = make_prescription(
            self.referral,
            self.prescriber,
            chain=v1,
            version=2,
            status=RxStatus.DISCONTINUED,
            discontinued_at=timezone.now() + dt.timedelta(minutes=1),
            discontinued_reason="Private reason.",
        )

        entries = [e for e in timeline_for(self.rx_client) if e.kind == "prescription"]

        assert [e.text for e in entries] == [
            "Prescription discontinued",
            "Prescription revised (v2)",
            "Prescription written (v1)",
        ]
        assert entries[0].url == f"/staff/prescriptions/{v2.pk}/"
        assert entries[2].url == f"/staff/prescriptions/{v1.pk}/"

    def test_the_timeline_is_empty_for_another_client(self) -> None:
        make_prescription(self.referral, self.prescriber)
        other = make_client(first_name="Other")

        assert [e for e in timeline_for(other) if e.kind == "prescription"] == []
