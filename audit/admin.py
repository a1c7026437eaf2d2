from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator

from audit.models import AuditEvent
from audit.paging import CappedPaginator, actions_in_use
from common.replica import reads_from_replica


class ActionFilter(admin.SimpleListFilter):
    """The action filter, its choices found by a loose index scan: the admin's own
    (AllValuesFieldListFilter) runs a DISTINCT over every entry of the trail."""

    title = "action"
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(action, action) for action in actions_in_use()]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[AuditEvent]
    ) -> QuerySet[AuditEvent]:
        value = self.value()
        return queryset.filter(action=value) if value else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: the trail can be filtered, never edited or deleted.

    Built for a trail of millions of entries: no date_hierarchy (a DISTINCT over
    every date), a date filter that needs no query, no facet counts, no free-text search (a LIKE
    '%…%' reads every row), sorting by time only, and a count that stops at
    audit.paging.COUNT_CAP. Every filter (the period, the action, and
    ?actor_username=, ?client_id= in the address) has an index that gives the order.
    """

    list_display = (
        "at",
        "actor_username",
        "action",
        "object_type",
        "object_id",
        "client_id",
        "ip",
    )
    list_filter = (("at", admin.DateFieldListFilter), ActionFilter)
    ordering = ("-at", "-id")
    sortable_by = ("at",)
    paginator = CappedPaginator
    show_full_result_count = False
    # Facets count the entries of each choice of each filter: the whole trail again.
    show_facets = admin.ShowFacets.NEVER

    # The list reads from the read replica when there is one (pathways.db_router).
    @method_decorator(reads_from_replica)
    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
