"""What prescriptions add to other apps' pages: the client page (panel and
timeline) and the partner portal's referral page. Registered in apps.py."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from accounts.access import AuthedRequest
from accounts.actor import actor_from
from audit.services import log_action
from clients.models import Client
from clients.panels import Panel, TimelineEntry
from common.prepared import Prepared
from common.reversing import reverse_numbered
from partners.access import partner_id_of
from partners.models import Referral, ReferralStatus
from prescriptions.models import Prescription, RxStatus
from prescriptions.queries import refusal_for


def client_panel(request: AuthedRequest, client: Client) -> Panel | None:
    """The active prescription and every version, on the client page (already access-checked)."""
    versions = list(
        Prescription.objects.filter(client=client)
        .select_related("prescriber", "discontinued_by")
        .order_by("-created_at", "-id")
    )
    if not versions:
        return None
    active = next((rx for rx in versions if rx.status == RxStatus.ACTIVE), None)
    log_action(
        actor_from(request),
        "prescription.list",
        client=client,
        detail={"prescriptions": [rx.pk for rx in versions]},
    )
    context = {
        "active": active,
        "valid_today": bool(active and active.is_valid_on(timezone.localdate())),
        "sessions_used": active.sessions_used() if active else 0,
        "sessions_left": active.sessions_left() if active else 0,
        "history": versions,
    }
    return Panel("prescriptions/_client_panel.html", context)


def client_timeline(client: Client) -> list[TimelineEntry]:
    """One line per version written or revised, and one per discontinuation; no free text."""
    entries = []
    for rx in Prescription.objects.filter(client=client):
        url = reverse_numbered("prescriptions:detail", rx.pk)
        verb = "written" if rx.version == 1 else "revised"
        text = f"Prescription {verb} (v{rx.version})"
        entries.append(TimelineEntry(rx.created_at, "prescription", text, url))
        if rx.discontinued_at is not None:
            entries.append(
                TimelineEntry(rx.discontinued_at, "prescription", "Prescription discontinued", url)
            )
    return entries


def portal_panel(request: AuthedRequest, referral: Referral) -> Panel | None:
    """The referral's prescriptions on the portal referral page, and a link to write one."""
    if partner_id_of(request.user) != referral.partner_id:
        return None
    versions = _versions_of_referral(referral=referral.pk)
    if not versions and referral.status != ReferralStatus.ELIGIBLE:
        # Nothing written and nothing to write yet: say nothing.
        return None
    refusal = refusal_for(referral)
    if versions:
        log_action(
            actor_from(request),
            "prescription.list",
            client=referral.client,
            detail={"referral": referral.pk, "prescriptions": [rx.pk for rx in versions]},
        )
    context = {
        "referral": referral,
        "history": versions,
        "can_write": not refusal,
        "refusal": refusal,
    }
    return Panel("prescriptions/_portal_panel.html", context)


# Compiled once (common.prepared; issue 14): every view of a referral in the portal asks.
@Prepared
def _versions_of_referral(*, referral: int) -> QuerySet[Prescription]:
    versions = Prescription.objects.filter(referral_id=referral).select_related("prescriber")
    return versions.order_by("-created_at", "-id")
