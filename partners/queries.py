"""Reads of referrals shared by the referral pages and the service that sends one."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from clients.models import Allergy, Client
from common.plugins import plugins
from common.prepared import Prepared, with_parent
from partners.models import Referral, ReferralEvent


def _allergy_text(allergy: Allergy) -> str:
    details = [allergy.reaction] if allergy.reaction else []
    if allergy.severity != Allergy.Severity.UNKNOWN:
        details.append(allergy.get_severity_display().lower())
    return f"{allergy.substance} ({'; '.join(details)})" if details else allergy.substance


def referral_snapshot(client: Client) -> dict[str, list[Any]]:
    """What a referral sent now would share: current items only.

    The record's own items, then each section settings.PATHWAYS_REFERRAL_SECTIONS
    adds (measures adds the latest outcome scores as "measure_scores").
    """
    shared: dict[str, list[Any]] = {
        "diagnoses": [
            {"code": d.code, "description": d.description}
            for d in client.diagnoses.filter(resolved_at__isnull=True).order_by("code")
        ],
        "medications": [
            str(m) for m in client.medications.filter(stopped_at__isnull=True).order_by("name")
        ],
        "allergies": [
            _allergy_text(a)
            for a in client.allergies.filter(removed_at__isnull=True).order_by("substance")
        ],
    }
    for section in plugins("PATHWAYS_REFERRAL_SECTIONS"):
        shared.update(section(client))
    return shared


def referral_events(referral: Referral) -> list[ReferralEvent]:
    """`referral.events.select_related(...)`: the history, with who wrote each and for
    which organisation."""
    return with_parent(_events(referral=referral.pk), "referral", referral)


@Prepared
def _events(*, referral: int) -> QuerySet[ReferralEvent]:
    # Compiled once (common.prepared; issue 14): every view of a referral reads it.
    events = ReferralEvent.objects.filter(referral_id=referral)
    return events.select_related("by__partner_membership__partner")
