"""The public site lives at the root; everything behind sign-in lives under /staff/."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import include, path

from accounts.otp import needs_setup, needs_verification
from pathways import bench_endpoints, views


def _admin_has_permission(request: HttpRequest) -> bool:
    # The Django admin (service content, users, the read-only audit trail) is for
    # the practice admin role only, whatever is_staff says.
    # It also owes the second factor, like every staff page.
    user = request.user
    if not (user.is_active and user.is_staff and getattr(user, "role", "") == "admin"):
        return False
    return not (needs_verification(user) or needs_setup(user))


# Replace the admin site's own check on purpose (see above).
admin.site.has_permission = _admin_has_permission  # type: ignore[method-assign]
admin.site.site_header = "Pathways administration"

urlpatterns = [
    # Public: no sign-in.
    path("", include("website.urls")),
    path("consent/", include("consents.public_urls")),
    path("measures/", include("measures.answering.urls")),
    # A clinician's secret calendar subscription (the token in the URL is the key).
    path("calendar/", include("scheduling.feed_urls")),
    # The BLS display for the client's screen: anonymous, no PHI, paired by a short code.
    path("display/", include("bls.display_urls")),
    # Practice staff: the dashboard, then each app's pages.
    path("staff/", include(([path("", views.dashboard, name="home")], "dashboard"))),
    path("staff/", include("accounts.urls")),
    path("staff/", include("intake.urls")),
    # Emergency (break-glass) access to a client outside one's care team.
    path("staff/clients/break-glass/", include("clients.breakglass_urls")),
    path("staff/clients/", include("clients.urls")),
    path("staff/amendments/", include("amendments.urls")),
    path("staff/referrals/", include("partners.urls")),
    path("staff/prescriptions/", include("prescriptions.urls")),
    path("staff/consents/", include("consents.urls")),
    path("staff/courses/", include("treatment.urls")),
    path("staff/schedule/", include("scheduling.urls")),
    path("staff/dosing/", include("dosing.urls")),
    path("staff/emdr/", include("bls.urls")),
    path("staff/measures/", include("measures.urls")),
    path("staff/measures/alerts/", include("measures.alerts.urls")),
    path("staff/measures/outcomes/", include("measures.outcomes.urls")),
    path("staff/audit/", include("pathways.audit_report")),
    path("staff/fhir/", include("interop.urls")),
    # The partner portal: prescribers of medication-management partners.
    path("partner/", include("partners.portal_urls")),
    path("partner/prescriptions/", include("prescriptions.portal_urls")),
    path("partner/sessions/", include("dosing.portal_urls")),
    path("admin/", admin.site.urls),
    # The partner read API: bearer tokens, not sessions (interop.api).
    path("fhir/R4/", include("interop.api_urls")),
]
# `make bench`'s floor view: mounted only when BENCH_ENDPOINTS is on.
urlpatterns += bench_endpoints.urlpatterns()
