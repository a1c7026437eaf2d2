from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from accounts.actor import Actor
from audit.models import AuditEvent
from bls import services
from bls.models import DesensitisationSet
from dosing.models import Administration
from pathways.testing import BaseTestCase

from .support import give, make_emdr_session

SET = {"bls_type": "eyes", "speed_hz": "1.0", "passes": "24", "client_report": "", "sud": "6"}


class SetServiceTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        self.actor = Actor.for_user(self.therapist)

    def add(self, minutes: int, **data: Any) -> DesensitisationSet:
        data = {"bls_type": "eyes", "speed_hz": Decimal("1.0"), "passes": 24, **data}
        at = self.emdr.start + dt.timedelta(minutes=minutes)
        entry = services.SetEntry(**data)
        return services.set_add(actor=self.actor, record=self.emdr.record, entry=entry, at=at)

    def test_it_numbers_the_sets_one_by_one(self) -> None:
        numbers = [self.add(m).number for m in (30, 32, 34)]

        assert numbers == [1, 2, 3]
        events = AuditEvent.objects.filter(action="emdr.set_add").order_by("id")
        assert [e.detail["number"] for e in events] == [1, 2, 3]

    def test_it_numbers_each_record_on_its_own(self) -> None:
        other = make_emdr_session(self.therapist, self.prescriber, self.partner2)
        self.add(30)
        self.add(31)

        made = services.set_add(
            actor=self.actor,
            record=other.record,
            entry=services.SetEntry(bls_type="tactile", speed_hz=Decimal(1), seconds=30),
        )

        assert made.number == 1

    def test_it_works_out_the_minutes_since_the_dose(self) -> None:
        give(self.emdr.session, self.therapist, self.emdr.start + dt.timedelta(minutes=10))

        assert self.add(40).minutes_since_dose == 30
        assert self.add(40, seconds=30).minutes_since_dose == 30
        # 40 min 59 s after the dose is still 40 whole minutes.
        late = self.emdr.start + dt.timedelta(minutes=50, seconds=59)
        entry = services.SetEntry(bls_type="eyes", speed_hz=Decimal(1), passes=24)
        assert (
            services.set_add(
                actor=self.actor, record=self.emdr.record, entry=entry, at=late
            ).minutes_since_dose
            == 40
        )

    def test_it_counts_from_the_dose_not_the_booster(self) -> None:
        give(self.emdr.session, self.therapist, self.emdr.start + dt.timedelta(minutes=10))
        give(
            self.emdr.session,
            self.therapist,
            self.emdr.start + dt.timedelta(minutes=35),
            Administration.Kind.BOOSTER,
        )

        assert self.add(45).minutes_since_dose == 35

    def test_it_leaves_the_minutes_empty_without_a_dose(self) -> None:
        assert self.add(30).minutes_since_dose is None

    def test_it_leaves_the_minutes_empty_for_a_set_before_the_dose(self) -> None:
        give(self.emdr.session, self.therapist, self.emdr.start + dt.timedelta(minutes=40))

        assert self.add(30).minutes_since_dose is None

    def test_it_needs_passes_or_seconds(self) -> None:
        with self.assertRaisesMessage(services.EmdrError, "passes or the seconds"):
            self.add(30, passes=None)
        assert not DesensitisationSet.objects.exists()


class SetViewTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        self.record = self.emdr.record
        self.url = f"/staff/emdr/{self.record.pk}/sets/"
        self.client.force_login(self.therapist)

    def test_it_offers_eye_movements_at_1_hz_and_24_passes(self) -> None:
        response = self.client.get(f"/staff/emdr/{self.record.pk}/")

        self.assertContains(response, '<option value="eyes" selected>Eye movements</option>')
        self.assertContains(response, 'name="speed_hz" value="1.0"')
        self.assertContains(response, 'name="passes" value="24"')

    def test_it_logs_a_set_without_javascript_and_returns_to_the_log(self) -> None:
        response = self.client.post(self.url, {**SET, "client_report": "Calmer."})

        self.assertRedirects(
            response, f"/staff/emdr/{self.record.pk}/#sets", fetch_redirect_response=False
        )
        made = DesensitisationSet.objects.get()
        assert (made.number, made.passes, made.sud, made.speed_hz) == (1, 24, 6, Decimal("1.0"))
        assert made.client_report == "Calmer."
        assert made.recorded_by == self.therapist
        assert "Calmer" not in str(AuditEvent.objects.get(action="emdr.set_add").detail)

    def test_it_swaps_the_set_log_and_the_timeline_with_htmx(self) -> None:
        response = self.client.post(self.url, SET, headers={"HX-Request": "true"})

        assert response.status_code == 200
        html = response.content.decode()
        assert html.startswith('<section aria-labelledby="sets-title" id="sets">')
        assert '<tr data-set="1">' in html
        assert "Set 1 logged." in html
        assert 'id="timeline" hx-swap-oob="true"' in html
        assert "<html" not in html
        # The form is fresh, ready for the next set.
        assert 'name="passes" value="24"' in html

    def test_it_puts_a_missing_passes_and_seconds_beside_the_field(self) -> None:
        data = {**SET, "passes": "", "seconds": "", "client_report": "Keep this."}

        for headers in ({}, {"HX-Request": "true"}):
            response = self.client.post(self.url, data, headers=headers)

            assert response.status_code == 200
            self.assertContains(
                response,
                '<p class="error" id="id_passes_error">'
                "Enter the number of passes or the seconds.</p>",
                html=True,
            )
            self.assertContains(response, "Keep this.")
        assert not DesensitisationSet.objects.exists()

    def test_it_accepts_seconds_instead_of_passes(self) -> None:
        self.client.post(self.url, {**SET, "passes": "", "seconds": "30", "bls_type": "auditory"})

        made = DesensitisationSet.objects.get()
        assert (made.passes, made.seconds, made.bls_type) == (None, 30, "auditory")

    def test_it_puts_bad_numbers_beside_their_fields(self) -> None:
        data = {**SET, "speed_hz": "9", "sud": "11", "bls_type": "smell"}

        response = self.client.post(self.url, data)

        assert response.status_code == 200
        for name in ("speed_hz", "sud", "bls_type"):
            self.assertContains(response, f'id="id_{name}_error"')
        self.assertContains(response, 'value="11"')
        assert not DesensitisationSet.objects.exists()

    def test_it_shows_the_minutes_since_the_dose_in_the_log(self) -> None:
        give(self.emdr.session, self.therapist, self.emdr.start)

        self.client.post(self.url, SET)

        made = DesensitisationSet.objects.get()
        assert made.minutes_since_dose is not None
        assert made.minutes_since_dose >= 60
        response = self.client.get(f"/staff/emdr/{self.record.pk}/")
        self.assertContains(response, f"<td>{made.minutes_since_dose}</td>")

    def test_it_refuses_the_intake_coordinator_and_another_therapist(self) -> None:
        self.client.force_login(self.intake)
        assert self.client.post(self.url, SET).status_code == 403
        self.client.force_login(self.therapist2)
        assert self.client.post(self.url, SET).status_code == 404
        assert not DesensitisationSet.objects.exists()
