from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import STAFF_ROLES, AuthedRequest, role_required
from accounts.models import Role
from clients.models import Client
from intake.models import AppointmentRequest, ContactMessage, RequestStatus


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@require_GET
@role_required(*STAFF_ROLES)
def home(request: AuthedRequest) -> HttpResponse:
    """The signed-in landing page: counts only, so it is not a PHI page."""
    user = request.user
    counts: dict[str, int] = {}
    if user.role in (Role.ADMIN, Role.INTAKE):
        new = AppointmentRequest.objects.filter(status=RequestStatus.NEW)
        counts["new_requests"] = new.count()
        counts["open_messages"] = ContactMessage.objects.filter(handled_at__isnull=True).count()
    if user.role == Role.THERAPIST:
        counts["my_requests"] = AppointmentRequest.objects.filter(assigned_to=user).count()
        counts["my_clients"] = Client.objects.filter(assigned_therapist=user).count()
    return render(request, "accounts/home.html", {"counts": counts})
