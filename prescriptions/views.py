"""The practice's read-only view of a prescription (the prescriber writes it in the portal)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import CLIENT_ROLES, AuthedRequest, role_required
from accounts.actor import Actor, actor_from
from audit.services import log_action
from prescriptions.access import get_prescription_for_staff
from prescriptions.models import Prescription, RxStatus
from prescriptions.queries import chain_history, current_version


def rx_context(rx: Prescription, **extra: Any) -> dict[str, Any]:
    """What both detail pages show: the version, the chain's state and its history."""
    current = current_version(rx)
    used = current.sessions_used()
    context: dict[str, Any] = {
        "rx": rx,
        "current": current,
        "is_current": current.pk == rx.pk,
        "history": chain_history(rx),
        "sessions_used": used,
        "sessions_left": max(current.sessions_authorised - used, 0),
        "discontinued": current if current.status == RxStatus.DISCONTINUED else None,
    }
    context.update(extra)
    return context


def audit_view(actor: Actor, rx: Prescription) -> None:
    log_action(
        actor,
        "prescription.view",
        rx,
        client=rx.client,
        detail={"version": rx.version, "status": rx.status},
    )


@require_GET
@role_required(*CLIENT_ROLES)
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    rx = get_prescription_for_staff(request, pk)
    audit_view(actor_from(request), rx)
    return render(request, "prescriptions/staff_detail.html", rx_context(rx))
