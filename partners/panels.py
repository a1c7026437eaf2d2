"""What the referrals add to the client page: a panel and timeline entries.

Registered in PartnersConfig.ready(). The client page has already checked that
the user may see the client; the panel lists that client's referrals.
"""

from __future__ import annotations

from django.urls import reverse

from accounts.access import CLINICAL_ROLES, AuthedRequest
from clients.models import Client
from clients.panels import Panel, TimelineEntry
from partners.models import Referral, ReferralEvent, Step

# Short, fixed words for the timeline: the step, never the free text beside it.
TIMELINE_LABELS = {
    Step.SENT: "Sent",
    Step.SCHEDULED: "Evaluation scheduled",
    Step.ELIGIBLE: "Evaluated as eligible",
    Step.NOT_ELIGIBLE: "Evaluated as not eligible",
    Step.NEEDS_INFO: "Question from the prescriber",
    Step.ANSWER: "Answer from the therapist",
    Step.CLOSED: "Closed",
}


def referrals_panel(request: AuthedRequest, client: Client) -> Panel:
    referrals = Referral.objects.filter(client=client).select_related("partner")
    return Panel(
        template="partners/_client_panel.html",
        context={
            "referrals": list(referrals),
            "can_refer": request.user.has_role(*CLINICAL_ROLES),
        },
    )


def referral_timeline(client: Client) -> list[TimelineEntry]:
    events = ReferralEvent.objects.filter(referral__client=client).select_related(
        "referral__partner"
    )
    return [
        TimelineEntry(
            at=event.at,
            kind="referral",
            text=f"Referral to {event.referral.partner.name}: "
            f"{TIMELINE_LABELS.get(Step(event.step), event.get_step_display())}",
            url=reverse("partners:referral", args=[event.referral_id]),
        )
        for event in events
    ]
