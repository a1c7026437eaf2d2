from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

from django.urls import reverse

from audit.models import AuditEvent
from common import crypto
from dosing import services
from dosing.models import DosingRecord, VitalSigns
from dosing.tests.support import (
    HIGH_BP,
    actor_as,
    add_vitals,
    ago,
    dosed_and_checked,
    open_record,
)
from pathways.testing import BaseTestCase, request_for


class PortalSummaryTests(BaseTestCase):
    def setUp(self) -> None:
        self.ready, self.record = open_record(self.therapist, self.prescriber, self.partner)
        # The 40-minute check is out of range; the final set is back within the limits.
        dosed_and_checked(self.record, self.therapist, self.admin, mg="90", **HIGH_BP)
        actor = actor_as(self.therapist)
        services.adverse_event_add(
            actor=actor,
            record=self.record,
            report=services.AdverseEventReport(
                type="nausea",
                severity="mild",
                occurred_at=ago(20),
                action_taken="Ondansetron 4 mg.",
                rescue_medication="Ondansetron 4 mg",
            ),
        )
        add_vitals(self.record, self.therapist, phase="discharge", minutes_ago=5)
        services.record_discharge(
            actor=actor,
            record=self.record,
            ticks=services.DischargeTicks(
                alert_and_oriented=True,
                walks_steadily=True,
                escort_present=True,
                told_no_driving=True,
            ),
            discharged_at=ago(2),
        )
        self.url = reverse("portal_dosing:summary", args=[self.record.pk])

    def test_it_shows_the_prescriber_the_dose_vitals_events_and_discharge(self) -> None:
        self.client.force_login(self.prescriber)

        response = self.client.get(self.url)

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "90.0 mg")
        self.assertContains(response, "152/96")
        self.assertContains(response, 'class="flag"')
        self.assertContains(response, "Nausea or vomiting")
        self.assertContains(response, "Ondansetron 4 mg")
        self.assertContains(response, "Discharged")
        self.assertNotContains(response, "To meet the grief with kindness.")  # the intention
        event = AuditEvent.objects.get(action="dosing.summary.view")
        self.assertEqual(event.object_id, str(self.record.pk))
        self.assertEqual(event.client_id, self.ready.client.pk)

    def test_it_never_shows_the_prescriber_the_vitals_notes(self) -> None:
        # The vitals table's rows come from {% vitals_table_rows rows show_notes %}: the
        # staff record shows the notes, the portal's summary never (minimum necessary).
        VitalSigns.objects.filter(record=self.record).update(notes="Tearful about her brother")

        self.client.force_login(self.prescriber)
        self.assertNotContains(self.client.get(self.url), "Tearful about her brother")
        self.client.force_login(self.therapist)
        staff = self.client.get(reverse("dosing:record", args=[self.record.pk]))
        self.assertContains(staff, "Tearful about her brother")

    def test_it_answers_404_to_a_prescriber_of_another_partner(self) -> None:
        self.client.force_login(self.prescriber2)

        response = self.client.get(self.url)

        self.assertEqual(response.status_code, 404)
        self.assertFalse(AuditEvent.objects.filter(action="dosing.summary.view").exists())

    def test_it_refuses_practice_staff(self) -> None:
        self.client.force_login(self.therapist)

        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_it_lists_the_summary_on_the_portal_referral_page(self) -> None:
        assert self.ready.referral is not None
        self.client.force_login(self.prescriber)

        response = self.client.get(reverse("portal:referral", args=[self.ready.referral.pk]))

        self.assertContains(response, self.url)
        self.assertContains(response, "Session summary")

    def test_it_reads_none_of_the_records_free_text_for_the_referral_page(self) -> None:
        # The list shows a date, a dose and discharged or not: the record's intention
        # and risk note (encrypted) are neither read nor decrypted for it.
        DosingRecord.objects.filter(pk=self.record.pk).update(
            intention="Distinctive intention", risk_check_note="Distinctive risk note"
        )
        assert self.ready.referral is not None
        self.client.force_login(self.prescriber)

        with mock.patch("common.fields.decrypt_str", wraps=crypto.decrypt_str) as decrypt:
            response = self.client.get(reverse("portal:referral", args=[self.ready.referral.pk]))

        self.assertContains(response, self.url)
        self.assertContains(response, "90.0 mg · discharged")
        read = [call.kwargs["where"] for call in decrypt.call_args_list]
        assert not [w for w in read if w.startswith(("dosing.", "treatment."))], read

    def test_it_lists_nothing_to_a_prescriber_of_another_partner(self) -> None:
        from dosing.panels import portal_panel

        assert self.ready.referral is not None

        self.assertIsNone(portal_panel(request_for(self.prescriber2), self.ready.referral))

    def test_it_lists_the_dose_not_a_booster(self) -> None:
        from dosing.models import Administration

        dose = Administration.objects.get(record=self.record, kind=Administration.Kind.DOSE)
        Administration.objects.create(
            record=self.record, kind=Administration.Kind.BOOSTER, dose_mg=Decimal("45.0"),
            # Recorded as given before the dose (a time typed in error): still not the dose.
            route=dose.route, given_at=dose.given_at - dt.timedelta(minutes=1),
            witnessed_by=self.admin, given_by=self.therapist,
        )  # fmt: skip
        assert self.ready.referral is not None
        self.client.force_login(self.prescriber)

        response = self.client.get(reverse("portal:referral", args=[self.ready.referral.pk]))

        self.assertContains(response, "90.0 mg · discharged")
        self.assertNotContains(response, "45.0 mg")
