"""Reads of treatment shared by its pages, the client page's panel, and other apps
(these through settings: see common.plugins)."""

from __future__ import annotations

from collections import Counter

from django.db.models import QuerySet

from common.prepared import Prepared
from prescriptions.models import Prescription
from treatment.models import SessionKind, SessionStatus, TreatmentCourse, TreatmentSession


def dosing_sessions_used(rx: Prescription) -> int:
    """Dosing sessions started on `rx`'s chain (settings.PATHWAYS_SESSIONS_USED):
    a session counts once it has started, whichever version it started on."""
    return (
        TreatmentSession.objects.filter(
            kind=SessionKind.DOSING, prescription__in=rx.chain_versions()
        )
        .exclude(started_at=None)
        .count()
    )


@Prepared
def _completed_kinds(*, course: int) -> QuerySet[TreatmentSession, str]:
    # A course holds some twenty sessions: counted here. Compiled once (common.prepared):
    # the chart's header asks on every view, and building the ORM's aggregate of four
    # filtered counts was a tenth of the chart's work at 10,000 clients (issue 14).
    completed = TreatmentSession.objects.filter(course_id=course, status=SessionStatus.COMPLETED)
    return completed.order_by().values_list("kind", flat=True)


def course_progress(course: TreatmentCourse) -> list[dict[str, object]]:
    """Planned against done, per kind of session (the course page and the client panel)."""
    done = Counter(_completed_kinds(course=course.pk))
    planned: dict[str, int] = {
        SessionKind.PREPARATION: course.planned_preparation,
        SessionKind.DOSING: course.planned_dosing,
        SessionKind.INTEGRATION: course.planned_integration,
    }
    return [
        {"kind": SessionKind(kind).label, "planned": planned[kind], "done": done[kind]}
        for kind in SessionKind.values
    ]
