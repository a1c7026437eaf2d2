"""What the referrals add to the client page: a panel and timeline entries.

Registered in PartnersConfig.ready(). The client page has already checked that
the user may see the client; the panel lists that client's referrals.
"""

from __future__ import annotations

from accounts.access import CLIENT_ROLES, CLINICAL_ROLES, AuthedRequest
from clients.models import Client
from clients.panels import Panel, TimelineEntry
from common.reversing import reverse_numbered
from common.timefmt import local_day
from partners.models import Disclosure, Referral, ReferralEvent, Step

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
            url=reverse_numbered("partners:referral", event.referral_id),
        )
        for event in events
    ]


def disclosures_panel(request: AuthedRequest, client: Client) -> Panel | None:
    """A link to the accounting of the client's disclosures to partners, with a count.

    For settings.PATHWAYS_CLIENT_PANELS; the client page has checked the user may
    see the client (the accounting page checks again)."""
    if not request.user.has_role(*CLIENT_ROLES):
        return None
    disclosures = Disclosure.objects.filter(client=client)
    latest = disclosures.order_by("-at").values_list("at", flat=True).first()
    return Panel(
        template="partners/_disclosures_panel.html",
        context={
            "count": disclosures.count(),
            "latest": local_day(latest) if latest else "",
        },
    )
