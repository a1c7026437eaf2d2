"""Partner organisations, and who works for each, are kept in the admin. Referrals
are not: they hold PHI, are read through the audited views, and change only
through partners.services."""

from __future__ import annotations

from django.contrib import admin

from partners.models import Partner, PartnerMembership


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
