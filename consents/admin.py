"""Consent documents in the admin: add versions, never edit or delete one.

Signed consents, signing links and revocations are not registered here on purpose:
they are PHI, and the staff pages (consents.views) show them with a role check and an
audit entry for every read, which the admin would not give.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from accounts.actor import actor_from
from audit.services import log_action
from consents.models import ConsentDocument


@admin.register(ConsentDocument)
class ConsentDocumentAdmin(admin.ModelAdmin[ConsentDocument]):
    list_display = ("kind", "version", "title", "created_at", "created_by")
    list_filter = ("kind",)
    search_fields = ("title",)
    ordering = ("kind", "-version")
    change_form_template = "consents/admin/change_form.html"
    add_fields = ("kind", "title", "body")
    view_fields = ("kind", "version", "title", "body", "sha256", "created_at", "created_by")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.view_fields if obj is not None else self.add_fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.view_fields if obj is not None else ()

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """`?from=<id>` starts a new version from an existing one's text."""
        initial = super().get_changeform_initial_data(request)
        source_id = request.GET.get("from", "")
        if source_id.isdigit():
            source = ConsentDocument.objects.filter(pk=int(source_id)).first()
            if source is not None:
                initial.update(kind=source.kind, title=source.title, body=source.body)
        return initial

    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[ConsentDocument], change: bool
    ) -> None:
        # Only adds reach here (a version cannot be changed); the model numbers it.
        obj.created_by = request.user
        obj.save()
        log_action(
            actor_from(request),
            "consent_document.create",
            obj,
            detail={"kind": obj.kind, "version": obj.version},
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
