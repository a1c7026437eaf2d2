"""Every 403/404 on a PHI URL leaves one audit entry, with the URL's name and never its
path (audit.middleware.RefusalAuditMiddleware)."""

from __future__ import annotations

from django.conf import settings
from django.test import override_settings

from audit.chain import verify_chain
from audit.middleware import REFUSED_ACTION
from audit.models import AuditEvent
from pathways.testing import BaseTestCase, make_client

TOKEN = "s3cret-token-that-must-not-be-stored-0123456789"


def test_it_is_installed_after_the_user_is_read() -> None:
    middleware = list(settings.MIDDLEWARE)
    auth = middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    assert middleware.index("audit.middleware.RefusalAuditMiddleware") > auth


def refusals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=REFUSED_ACTION).order_by("id"))


class RefusalAuditTestCase(BaseTestCase):
    def test_it_records_a_404_for_someone_elses_client(self) -> None:
        theirs = make_client(assigned_therapist=self.therapist2)
        self.client.force_login(self.therapist)

        response = self.client.get(f"/staff/clients/{theirs.pk}/", REMOTE_ADDR="192.0.2.7")

        assert response.status_code == 404
        [event] = refusals()
        assert event.actor == self.therapist
        assert event.ip == "192.0.2.7"
        assert event.detail == {
            "status": 404,
            "method": "GET",
            "url_name": "clients:detail",
            "route": "staff/clients/<int:pk>/",
        }
        assert verify_chain().ok

    def test_it_records_a_403_for_a_role_without_access(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.get("/staff/audit/")

        assert response.status_code == 403
        [event] = refusals()
        assert (event.actor, event.detail["url_name"], event.detail["status"]) == (
            self.intake,
            "audit:report",
            403,
        )

    def test_it_records_an_unknown_staff_url_without_its_path(self) -> None:
        self.client.force_login(self.admin)

        response = self.client.get(f"/staff/no-such-page/{TOKEN}/")

        assert response.status_code == 404
        [event] = refusals()
        assert event.detail["url_name"] == ""
        assert TOKEN not in str(event.detail)

    def test_it_records_nothing_for_an_allowed_page(self) -> None:
        self.client.force_login(self.admin)

        assert self.client.get("/staff/audit/").status_code == 200
        assert refusals() == []


@override_settings(ROOT_URLCONF="audit.tests.refusal_urls")
class RefusalAuditRulesTestCase(BaseTestCase):
    def test_it_records_a_refused_secret_link_by_name_never_its_token(self) -> None:
        response = self.client.get(f"/consent/{TOKEN}/", REMOTE_ADDR="192.0.2.8")

        assert response.status_code == 404
        [event] = refusals()
        assert event.actor is None
        assert event.ip == "192.0.2.8"
        assert event.detail["url_name"] == "secret"
        assert event.detail["route"] == "consent/<str:token>/"
        assert TOKEN not in str(event.detail)

    def test_it_records_nothing_outside_the_phi_urls(self) -> None:
        assert self.client.get(f"/public/{TOKEN}/").status_code == 404
        assert refusals() == []

    def test_it_does_not_log_twice_when_the_view_audited_its_refusal(self) -> None:
        self.client.force_login(self.therapist)

        assert self.client.get("/staff/audited/").status_code == 403

        assert AuditEvent.objects.filter(action="thing.access_refused").count() == 1
        assert refusals() == []

    def test_it_logs_when_the_views_own_entry_was_rolled_back(self) -> None:
        self.client.force_login(self.therapist)

        assert self.client.get("/staff/rolled-back/").status_code == 404

        [event] = refusals()
        assert event.detail["url_name"] == "refusals:rolled_back"
        assert not AuditEvent.objects.filter(action="thing.view").exists()
        assert verify_chain().ok
