"""The session summary a prescriber reads in the partner portal.

Only for records dosed against a prescription on a referral to the prescriber's
own organisation (404 otherwise), while the client's release of information to it
is in force ("access ended" otherwise); each reading is written to the accounting
of disclosures. It holds the dose, the vitals, any adverse
events and the discharge: not the note, nor the pre-dose conversation.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import PARTNER_ROLES, AuthedRequest, role_required
from accounts.actor import actor_from
from audit.services import log_action
from dosing.access import get_record_for_prescriber
from dosing.models import Discharge
from dosing.summary import administrations, timeline_chart, vitals_rows
from partners.access import portal_page
from partners.disclosures import disclosure_portal_read
from partners.models import DisclosureKind


@require_GET
@role_required(*PARTNER_ROLES)
@portal_page
def summary(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_record_for_prescriber(request, pk)
    client = record.session.course.client
    referral = record.prescription.referral
    actor = actor_from(request)
    with transaction.atomic():
        log_action(
            actor,
            "dosing.summary.view",
            record,
            client=client,
            detail={"referral": referral.pk},
        )
        disclosure_portal_read(
            actor=actor,
            referral=referral,
            read=record,
            kind=DisclosureKind.SESSION_SUMMARY,
            object_ids={"record": record.pk, "referral": referral.pk},
        )
    context = {
        "record": record,
        "session": record.session,
        "client": client,
        "rx": record.prescription,
        "referral": record.prescription.referral,
        "given": administrations(record),
        "rows": vitals_rows(record),
        "events": record.adverse_events.all(),
        "discharge": Discharge.objects.filter(record=record).first(),
        "chart": timeline_chart(record),
    }
    return render(request, "dosing/portal_summary.html", context)
