"""Partner organisations, and who works for each, are kept in the admin. Referrals
are not: they hold PHI, are read through the audited views, and change only
through partners.services.

A prescriber's membership is what opens the partner portal to them: adding or
removing one here is a privilege change, audited against the user
(accounts.services.user_privilege_log) in the admin's transaction.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from accounts.actor import actor_from
from accounts.models import User
from accounts.services import user_privilege_log
from partners.models import Partner, PartnerMembership


def _member_ids(partner: Partner) -> set[int]:
    if partner.pk is None:
        return set()
    return set(PartnerMembership.objects.filter(partner=partner).values_list("user_id", flat=True))


class PartnerMembershipInline(admin.TabularInline[PartnerMembership, Partner]):
    """The partner's prescribers: adding a user here gives them the partner portal's
    view of this partner's referrals (the user admin sets their role)."""

    model = PartnerMembership
    extra = 0
    verbose_name = "prescriber"
    verbose_name_plural = "prescribers"
    # A user works for one partner at most: the one-to-one refuses a second.
    autocomplete_fields = ["user"]
    ordering = ["user__last_name", "user__first_name", "user__username"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin[Partner]):
    list_display = ["name", "phone", "email", "active"]
    list_filter = ["active"]
    search_fields = ["name", "email", "phone"]
    ordering = ["name"]
    inlines = [PartnerMembershipInline]

    def save_formset(
        self,
        request: HttpRequest,
        form: ModelForm[Partner],
        formset: BaseInlineFormSet[Any, Any, Any],
        change: bool,
    ) -> None:
        if formset.model is not PartnerMembership:
            super().save_formset(request, form, formset, change)
            return
        partner = form.instance
        before = _member_ids(partner)
        super().save_formset(request, form, formset, change)
        after = _member_ids(partner)
        actor = actor_from(request)
        # Ids only: who gained or lost this partner's portal (old and new partner).
        for user in User.objects.filter(pk__in=before ^ after).order_by("pk"):
            gained = user.pk in after
            changed = {"partner": [None, partner.pk] if gained else [partner.pk, None]}
            user_privilege_log(actor=actor, user=user, changed=changed)
