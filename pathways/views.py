"""The staff home: the Today view, drawing on several apps (pathways.today).

It lives in the project package, the top layer (pyproject.toml's import-linter
contract), because it reads intake, clients, scheduling, dosing and measures;
accounts, below them, only signs people in.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from accounts.access import STAFF_ROLES, AuthedRequest, role_required
from accounts.actor import actor_from
from accounts.models import Role
from accounts.otp import has_confirmed_device
from audit.services import log_action
from pathways.today import today_for
from pathways.today_rows import appointment_rows
from pathways.today_sections import sections_html

# The audit entry of the Today page: counts and ids only, never a name.
TODAY_ACTION = "today.view"


@require_GET
@role_required(*STAFF_ROLES)
def dashboard(request: AuthedRequest) -> HttpResponse:
    """Today: the user's appointments, safety alerts and the work waiting on them.

    The page names clients (whoever is free should act on an alert at once), so
    showing it is a PHI read and is audited, with the ids and counts only. A
    prescriber's home is the partner portal.
    """
    user = request.user
    if user.role == Role.PRESCRIBER:
        return redirect("portal:home")
    today = today_for(user)
    log_action(actor_from(request), TODAY_ACTION, detail={"page": "dashboard:home", **today.ids()})
    context = {
        "today": today,
        "appointment_rows": appointment_rows(
            today.appointments, show_clinician=user.role != Role.THERAPIST
        ),
        "sections": {section.key: section for section in today.sections},
        "sections_html": sections_html(today.sections),
        "has_2fa": has_confirmed_device(user),
    }
    return render(request, "pathways/dashboard.html", context)
