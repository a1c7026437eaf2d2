"""Staff pages for safety alerts: the list, one alert, and its acknowledgement.

Roles: CLIENT_ROLES (admin, intake coordinator, therapist) see every alert;
prescribers get 403. Object access goes through
measures.alerts.queries.get_alert_for_user (404 otherwise). Only a clinician (a
therapist, or an admin who is a clinician) may acknowledge: anyone else gets a
403, audited as a refused acknowledgement, and is never shown the form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.access import CLIENT_ROLES, AuthedRequest, role_required
from accounts.actor import actor_from
from audit.services import log_action
from clients.access import clients_for_user
from measures.alerts import queries as alert_queries
from measures.alerts import safety
from measures.alerts import services as alert_services
from measures.forms import AcknowledgeForm
from measures.models import SafetyAlert


@require_GET
@role_required(*CLIENT_ROLES)
def alert_list(request: AuthedRequest) -> HttpResponse:
    show = "acknowledged" if request.GET.get("show") == "acknowledged" else "open"
    qs = alert_queries.alerts_for_user(request.user)
    if show == "open":
        alerts = list(qs.filter(acknowledged_at=None).order_by("raised_at", "pk"))
    else:
        alerts = list(qs.exclude(acknowledged_at=None).order_by("-acknowledged_at", "-pk")[:200])
    log_action(
        actor_from(request), safety.LIST_ACTION, detail={"show": show, "count": len(alerts)}
    )
    rows = [{"alert": alert, "description": alert_queries.describe(alert)} for alert in alerts]
    return render(request, "measures/alerts/list.html", {"rows": rows, "show": show})


def _detail_context(
    request: AuthedRequest, alert: SafetyAlert, form: AcknowledgeForm
) -> dict[str, Any]:
    item = alert_queries.item_for(alert)
    return {
        "alert": alert,
        "instrument": alert.instrument,
        "item_text": item.get("text", ""),
        "answer_label": alert_queries.answer_label(alert),
        "answered_at": alert_queries.answered_at(alert),
        "description": alert_queries.describe(alert),
        "notified": safety.notified_users(alert),
        "hours": safety.escalation_hours(),
        "not_a_diagnosis": safety.NOT_A_DIAGNOSIS,
        "can_open_client": clients_for_user(request).filter(pk=alert.client_id).exists(),
        "can_acknowledge": alert_queries.can_acknowledge(request.user),
        "form": form,
    }


@require_GET
@role_required(*CLIENT_ROLES)
def alert_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    alert = alert_queries.get_alert_for_user(request, pk)
    log_action(actor_from(request), safety.VIEW_ACTION, alert, client=alert.client)
    context = _detail_context(request, alert, AcknowledgeForm())
    return render(request, "measures/alerts/alert.html", context)


@require_POST
@role_required(*CLIENT_ROLES)
def alert_acknowledge(request: AuthedRequest, pk: int) -> HttpResponse:
    actor = actor_from(request)
    alert = alert_queries.get_alert_for_user(request, pk)
    # Refused before the form is read: a non-clinician learns nothing from it.
    if not alert_queries.can_acknowledge(request.user):
        alert_services.alert_acknowledge_refused(actor=actor, alert=alert)
        raise PermissionDenied
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            alert_services.alert_acknowledge(
                actor=actor,
                alert=alert,
                action=form.cleaned_data["action"],
                note=form.cleaned_data["action_note"],
            )
        except alert_services.NotAClinicianError:
            raise PermissionDenied from None
        except alert_services.AlertError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Alert acknowledged. Your note is in the record.")
        return redirect("alerts:alert", pk=alert.pk)
    log_action(actor, safety.VIEW_ACTION, alert, client=alert.client)
    return render(request, "measures/alerts/alert.html", _detail_context(request, alert, form))
