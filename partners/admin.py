"""Partner organisations are kept in the admin. Referrals are not: they hold PHI,
are read through the audited views, and change only through partners.services."""

from __future__ import annotations

from django.contrib import admin

from partners.models import Partner


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "email", "active"]
    list_filter = ["active"]
    search_fields = ["name", "email", "phone"]
    ordering = ["name"]
