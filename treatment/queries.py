"""Reads of treatment shared by its pages, the client page's panel, and other apps
(these through settings: see common.plugins)."""

from __future__ import annotations

from django.db.models import Count, Q

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


def course_progress(course: TreatmentCourse) -> list[dict[str, object]]:
    """Planned against done, per kind of session (the course page and the client panel)."""
    done = course.sessions.aggregate(
        **{
            kind: Count("id", filter=Q(kind=kind, status=SessionStatus.COMPLETED))
            for kind in SessionKind.values
        }
    )
    planned: dict[str, int] = {
        SessionKind.PREPARATION: course.planned_preparation,
        SessionKind.DOSING: course.planned_dosing,
        SessionKind.INTEGRATION: course.planned_integration,
    }
    return [
        {"kind": SessionKind(kind).label, "planned": planned[kind], "done": done[kind]}
        for kind in SessionKind.values
    ]
