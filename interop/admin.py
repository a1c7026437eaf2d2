"""The partner read API's tokens in the Django admin (the practice admin role only:
pathways/urls.py): issue one to a prescriber, see each one's state and last use,
revoke. Issuing needs a recent re-authentication (a credential that opens PHI to
another organisation) and shows the token once, on the page that answers the POST:
never in a URL, a message (the session would hold it), a log or an e-mail. A token is
never changed or deleted: revoked, it stays for the audit trail to name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from accounts.actor import actor_from
from accounts.models import Role, User
from accounts.reauth import reauth_required
from interop.models import ApiToken
from interop.tokens import DAYS, ApiTokenError, api_token_issue, api_token_revoke

ISSUED_TEMPLATE = "interop/api_token_issued.html"
# Where the plaintext waits between save_model and response_add of one request.
_PLAINTEXT = "_fhir_api_token_plaintext"


class IssueForm(forms.ModelForm[ApiToken]):
    days = forms.IntegerField(
        min_value=DAYS.low,
        max_value=DAYS.high,
        help_text="How long the token works (FHIR_TOKEN_DAYS by default).",
    )

    class Meta:
        model = ApiToken
        fields = ("prescriber",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = settings.FHIR_TOKEN_DAYS
        # Only whom the service would issue to: an active prescriber of a partner.
        # (The token's own page shows it read-only: no field there.)
        if "prescriber" in self.fields:
            self.fields["prescriber"].queryset = User.objects.filter(  # type: ignore[attr-defined]
                role=Role.PRESCRIBER, is_active=True, partner_membership__isnull=False
            ).order_by("last_name", "first_name", "username")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    form = IssueForm
    list_display = ("pk", "prescriber", "created_at", "expires_at", "revoked_at", "last_used_at")
    list_filter = ("revoked_at",)
    search_fields = ("prescriber__username",)
    readonly_fields = (
        "prescriber",
        "created_at",
        "created_by",
        "expires_at",
        "revoked_at",
        "revoked_by",
        "last_used_at",
    )
    actions = ("revoke_tokens",)

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        return () if obj is None else self.readonly_fields

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        return ("prescriber", "days") if obj is None else self.readonly_fields

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        view = reauth_required(super().add_view)
        return view(request, form_url, extra_context)

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            return
        try:
            token, plaintext = api_token_issue(
                actor=actor_from(request),
                prescriber=form.cleaned_data["prescriber"],
                days=form.cleaned_data["days"],
            )
        except ApiTokenError as error:
            # The form offered only what the service takes; a refusal here is a race
            # (the prescriber deactivated meanwhile): said on the list, never a 500.
            setattr(request, _PLAINTEXT, "")
            self.message_user(request, str(error), messages.ERROR)
            return
        obj.__dict__.update({f.attname: getattr(token, f.attname) for f in ApiToken._meta.fields})
        obj._state.adding = False
        setattr(request, _PLAINTEXT, plaintext)

    def response_add(
        self, request: HttpRequest, obj: ApiToken, post_url_continue: str | None = None
    ) -> HttpResponse:
        plaintext = getattr(request, _PLAINTEXT, "")
        if not plaintext:
            return HttpResponseRedirect(reverse("admin:interop_apitoken_changelist"))
        response = TemplateResponse(
            request,
            ISSUED_TEMPLATE,
            {
                **self.admin_site.each_context(request),
                "title": "API token issued",
                "token": obj,
                "plaintext": plaintext,
                "opts": self.opts,
            },
        )
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Revoke the selected tokens")
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            try:
                api_token_revoke(actor=actor_from(request), token=token)
            except ApiTokenError as error:
                self.message_user(request, str(error), messages.WARNING)
                continue
            revoked += 1
        self.message_user(request, f"{revoked} token(s) revoked.", messages.SUCCESS)
