"""The user admin, and the authenticators' admin without their secrets.

Adding or changing a user (their role, is_active, the admin flags, groups and
permissions), setting their password or deleting them needs a recent
re-authentication (accounts.reauth), and each save is audited with what changed
(accounts.services.user_admin_audit). A change of role or of the admin flags also
ends the user's sessions (accounts.models.User.get_session_auth_hash).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.forms import BaseFormSet, ModelForm
from django.http import HttpRequest, HttpResponse

from accounts.actor import actor_from
from accounts.models import Authenticator, User
from accounts.reauth import reauth_required
from accounts.services import (
    PRIVILEGE_FIELDS,
    PRIVILEGE_SETS,
    otp_devices_reset,
    user_admin_audit,
)


def _initial_privileges(form: ModelForm[User]) -> dict[str, Any]:
    """What the user could do before this save: the form's initial values (the
    admin's change form is built from the saved user)."""
    initial = form.initial
    values: dict[str, Any] = {name: initial.get(name) for name in PRIVILEGE_FIELDS}
    for name in PRIVILEGE_SETS:
        values[name] = sorted(getattr(item, "pk", item) for item in initial.get(name) or [])
    return values


@admin.register(User)
class PathwaysUserAdmin(UserAdmin[User]):
    list_display = ("username", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (
            "Practice role",
            {"fields": ("role", "is_clinician", "credentials", "on_call")},
        ),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        ("Practice role", {"fields": ("role", "first_name", "last_name", "email")}),
    )

    # --- Re-authentication before any change ------------------------------------

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        view = reauth_required(super().add_view)
        return view(request, form_url, extra_context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        view = reauth_required(super().change_view)
        return view(request, object_id, form_url, extra_context)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        view = reauth_required(super().delete_view)
        return view(request, object_id, extra_context)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        view = reauth_required(super().user_change_password)
        return view(request, id, form_url)

    # --- The audit of each save ---------------------------------------------------

    def save_related(
        self, request: HttpRequest, form: Any, formsets: BaseFormSet[Any], change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        before = _initial_privileges(form) if change else None
        user_admin_audit(actor=actor_from(request), user=form.instance, before=before)


# An authenticator can only be seen (whose, its name, confirmed or not) and deleted:
# "reset two-factor sign-in" for someone who lost their phone, which needs a recent
# re-authentication and is audited. Its secret is never a field here (nor editable on
# the model), and the changelist is filtered by `confirmed` only: a filter on the key
# in the URL (?key__startswith=…) would be an oracle for it.
@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin[Authenticator]):
    list_display = ("user", "name", "confirmed")
    list_filter = ("confirmed",)
    search_fields = ("user__username",)
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields
    actions = None

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        is_confirmed = lookup.split("__")[0] == "confirmed"
        return is_confirmed and super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: Authenticator | None = None
    ) -> bool:
        return False

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        view = reauth_required(super().delete_view)
        return view(request, object_id, extra_context)

    def delete_model(self, request: HttpRequest, obj: Authenticator) -> None:
        otp_devices_reset(actor=actor_from(request), devices=[obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Authenticator]) -> None:
        otp_devices_reset(actor=actor_from(request), devices=list(queryset))
