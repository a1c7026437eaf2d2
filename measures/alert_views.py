"""Staff pages for safety alerts: the list, one alert, and its acknowledgement.

Roles: CLIENT_ROLES (admin, intake coordinator, therapist); prescribers get 403.
Object access goes through measures.safety.get_alert_for_user (404 otherwise):
admin and intake see every alert, a therapist those of their own clients, and
an on-call therapist every alert.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.access import CLIENT_ROLES, AuthedRequest, role_required
from audit.services import log_action
from clients.access import clients_for_user
from measures import safety
from measures.models import SafetyAlert
from pathways.forms import AccessibleErrorsMixin

NOTE_REQUIRED = (
    "Write down the action you took (for example, who called the client and what was agreed)."
)


class AcknowledgeForm(AccessibleErrorsMixin, forms.Form):
    action_note = forms.CharField(
        label="Action taken",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text="Who followed up, how, and what was agreed. This is kept in the record.",
        error_messages={"required": NOTE_REQUIRED},
    )

    def clean_action_note(self) -> str:
        note = self.cleaned_data["action_note"].strip()
        if not note:
            raise forms.ValidationError(NOTE_REQUIRED)
        return note


@require_GET
@role_required(*CLIENT_ROLES)
def alert_list(request: AuthedRequest) -> HttpResponse:
    show = "acknowledged" if request.GET.get("show") == "acknowledged" else "open"
    qs = safety.alerts_for_user(request.user)
    if show == "open":
        alerts = list(qs.filter(acknowledged_at=None).order_by("raised_at", "pk"))
    else:
        alerts = list(qs.exclude(acknowledged_at=None).order_by("-acknowledged_at", "-pk")[:200])
    log_action(request, safety.LIST_ACTION, detail={"show": show, "count": len(alerts)})
    rows = [{"alert": alert, "description": safety.describe(alert)} for alert in alerts]
    return render(request, "measures/alerts/list.html", {"rows": rows, "show": show})


def _detail_context(request: AuthedRequest, alert: SafetyAlert, form: AcknowledgeForm) -> dict:
    item = safety.item_for(alert)
    return {
        "alert": alert,
        "instrument": alert.response.instrument,
        "item_text": item.get("text", ""),
        "answer_label": safety.answer_label(alert),
        "description": safety.describe(alert),
        "notified": safety.notified_users(alert),
        "hours": safety.escalation_hours(),
        "not_a_diagnosis": safety.NOT_A_DIAGNOSIS,
        "can_open_client": clients_for_user(request).filter(pk=alert.client_id).exists(),
        "form": form,
    }


@require_GET
@role_required(*CLIENT_ROLES)
def alert_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    alert = safety.get_alert_for_user(request, pk)
    log_action(request, safety.VIEW_ACTION, alert, client=alert.client)
    context = _detail_context(request, alert, AcknowledgeForm())
    return render(request, "measures/alerts/alert.html", context)


@require_POST
@role_required(*CLIENT_ROLES)
def alert_acknowledge(request: AuthedRequest, pk: int) -> HttpResponse:
    alert = safety.get_alert_for_user(request, pk)
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            safety.acknowledge(request, alert, form.cleaned_data["action_note"])
        except safety.AlertError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Alert acknowledged. Your note is in the record.")
        return redirect("alerts:alert", pk=alert.pk)
    log_action(request, safety.VIEW_ACTION, alert, client=alert.client)
    return render(request, "measures/alerts/alert.html", _detail_context(request, alert, form))
