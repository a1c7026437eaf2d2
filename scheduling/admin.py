"""Rooms and clinicians' working hours are kept in the Django admin (practice
admin only, see pathways/urls.py). Appointments are not: booking goes through the
schedule, which refuses double booking. Calendar feeds can be seen and revoked."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.actor import actor_from
from accounts.models import Role
from scheduling.feed import calendar_feeds_revoke
from scheduling.models import CalendarFeed, Room, WorkingHours


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin[Room]):
    list_display = ["name", "feed_label", "active"]
    list_filter = ["active"]
    search_fields = ["name"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A room with appointments is protected; retire it with "active" instead.
        return False


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin[WorkingHours]):
    list_display = ["clinician", "weekday", "start", "end"]
    list_filter = ["clinician", "weekday"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "clinician":
            kwargs["queryset"] = db_field.related_model.objects.filter(
                role=Role.THERAPIST, is_active=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.action(description="Revoke the selected calendar feeds")
def revoke(modeladmin: Any, request: HttpRequest, queryset: QuerySet[CalendarFeed]) -> None:
    calendar_feeds_revoke(actor=actor_from(request), feeds=queryset)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin[CalendarFeed]):
    list_display = ["clinician", "created_at", "revoked_at"]
    list_filter = ["revoked_at"]
    readonly_fields = ["clinician", "token_hash", "created_at", "revoked_at"]
    actions = [revoke]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
