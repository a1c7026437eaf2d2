"""The staff dashboard: the first page after sign-in, drawing on several apps.

It lives in the project package, the top layer (pyproject.toml's import-linter
contract), because it reads intake, clients and measures; accounts, below them,
only signs people in.
"""

from __future__ import annotations

import django_otp
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import STAFF_ROLES, AuthedRequest, role_required
from accounts.actor import actor_from
from accounts.models import Role
from audit.services import log_action
from clients.models import Client
from intake.models import AppointmentRequest, ContactMessage, RequestStatus
from measures.alerts.queries import dashboard_alerts
from measures.alerts.safety import LIST_ACTION
from partners.access import partner_of


@require_GET
@role_required(*STAFF_ROLES)
def dashboard(request: AuthedRequest) -> HttpResponse:
    """The signed-in landing page: counts, and the open safety alerts.

    The alerts name their clients (whoever is free should act on one at once), so
    showing them is a PHI read and is audited, with the alert ids only.
    """
    user = request.user
    counts: dict[str, int] = {}
    if user.role in (Role.ADMIN, Role.INTAKE):
        new = AppointmentRequest.objects.filter(status=RequestStatus.NEW)
        counts["new_requests"] = new.count()
        counts["open_messages"] = ContactMessage.objects.filter(handled_at__isnull=True).count()
    if user.role == Role.THERAPIST:
        counts["my_requests"] = AppointmentRequest.objects.filter(assigned_to=user).count()
        counts["my_clients"] = Client.objects.filter(assigned_therapist=user).count()
    has_2fa = django_otp.user_has_device(user)
    safety_alerts = dashboard_alerts(user)
    if safety_alerts:
        detail = {"page": "dashboard:home", "alerts": [alert.pk for alert in safety_alerts]}
        log_action(actor_from(request), LIST_ACTION, detail=detail)
    context = {
        "counts": counts,
        "has_2fa": has_2fa,
        "safety_alerts": safety_alerts,
        # The prescriber's card names their organisation.
        "partner": partner_of(user) if user.role == Role.PRESCRIBER else None,
    }
    return render(request, "pathways/dashboard.html", context)
