"""The public site lives at the root; everything behind sign-in lives under /staff/."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import include, path


def _admin_has_permission(request: HttpRequest) -> bool:
    # The Django admin (service content, users, the read-only audit trail) is for
    # the practice admin role only, whatever is_staff says.
    user = request.user
    return bool(user.is_active and user.is_staff and getattr(user, "role", "") == "admin")


admin.site.has_permission = _admin_has_permission  # type: ignore[method-assign]
admin.site.site_header = "Pathways administration"

urlpatterns = [
    path("", include("website.urls")),
    path("staff/", include("accounts.urls")),
    path("staff/", include("intake.urls")),
    path("staff/clients/", include("clients.urls")),
    path("admin/", admin.site.urls),
]
