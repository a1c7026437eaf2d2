from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import transaction

from accounts.actor import Actor
from audit.models import AppendOnlyError, AuditEvent
from audit.services import log_action
from pathways.testing import BaseTestCase, request_for


class AppendOnlyTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.event = log_action(Actor.system(), "request.view", detail={"page": 1})

    def assert_unchanged(self) -> None:
        assert AuditEvent.objects.count() == 1
        stored = AuditEvent.objects.get()
        assert (stored.action, stored.detail) == ("request.view", {"page": 1})

    def test_it_refuses_to_save_an_existing_row(self) -> None:
        self.event.action = "request.forged"

        with pytest.raises(AppendOnlyError):
            self.event.save()
        self.assert_unchanged()

    def test_it_refuses_to_delete_a_row(self) -> None:
        with pytest.raises(AppendOnlyError):
            self.event.delete()
        self.assert_unchanged()

    def test_it_refuses_a_queryset_update(self) -> None:
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.filter(pk=self.event.pk).update(action="request.forged")
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.update(action="request.forged")
        self.assert_unchanged()

    def test_it_refuses_a_queryset_delete(self) -> None:
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.filter(pk=self.event.pk).delete()
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.all().delete()
        self.assert_unchanged()

    def test_it_refuses_a_bulk_update(self) -> None:
        self.event.action = "request.forged"

        # bulk_update joins the caller's transaction; give it its own savepoint.
        with pytest.raises(AppendOnlyError), transaction.atomic():
            AuditEvent.objects.bulk_update([self.event], ["action"])
        self.assert_unchanged()

    def test_it_still_appends(self) -> None:
        log_action(Actor.system(), "request.list")

        assert AuditEvent.objects.count() == 2


class AuditAdminTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.event = log_action(Actor.system(), "request.view")
        self.model_admin = admin.site._registry[AuditEvent]

    def test_it_gives_no_add_change_or_delete_permission(self) -> None:
        request = request_for(self.admin, path="/admin/audit/auditevent/")

        assert self.model_admin.has_add_permission(request) is False
        assert self.model_admin.has_change_permission(request, self.event) is False
        assert self.model_admin.has_delete_permission(request, self.event) is False
        assert self.model_admin.has_view_permission(request, self.event) is True

    def test_it_lets_the_admin_read_the_trail(self) -> None:
        self.client.force_login(self.admin)

        self.assertContains(self.client.get("/admin/audit/auditevent/"), "request.view")

    def test_it_refuses_the_add_and_delete_pages(self) -> None:
        self.client.force_login(self.admin)

        assert self.client.get("/admin/audit/auditevent/add/").status_code == 403
        delete_url = f"/admin/audit/auditevent/{self.event.pk}/delete/"
        assert self.client.post(delete_url, {"post": "yes"}).status_code == 403
        assert AuditEvent.objects.filter(pk=self.event.pk).exists()

    def test_it_refuses_a_change_post(self) -> None:
        self.client.force_login(self.admin)

        url = f"/admin/audit/auditevent/{self.event.pk}/change/"
        response = self.client.post(url, {"action": "request.forged"})

        assert response.status_code == 403
        assert AuditEvent.objects.get(pk=self.event.pk).action == "request.view"
