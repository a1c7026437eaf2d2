"""The treatment facts in the client chart's header (settings.PATHWAYS_CLIENT_FACTS):
the modality of the current course, how far it has come and the next session."""

from __future__ import annotations

from accounts.access import AuthedRequest
from clients.models import Client
from clients.panels import HeaderFact
from treatment.models import CourseStatus, SessionStatus, TreatmentCourse
from treatment.queries import course_progress

# The course the header speaks of: an active one first, then a planned one, then
# the latest that ended.
_CURRENT_FIRST = (CourseStatus.ACTIVE, CourseStatus.PLANNED)
_OPEN = (SessionStatus.PLANNED, SessionStatus.IN_PROGRESS)


def current_course(client: Client) -> TreatmentCourse | None:
    courses = list(client.courses.order_by("-created_at", "-pk"))
    for status in _CURRENT_FIRST:
        for course in courses:
            if course.status == status:
                return course
    return courses[0] if courses else None


def course_facts(request: AuthedRequest, client: Client) -> list[HeaderFact]:
    """Modality; "KAP course 1 (active): preparation 3 of 3, dosing 2 of 6, …"; the
    next open session ("Dosing 3 of 6, 2026-12-08")."""
    course = current_course(client)
    if course is None:
        return [HeaderFact("Course", "No treatment course yet")]
    rows = course_progress(course)
    done = ", ".join(
        f"{str(row['kind']).lower()} {row['done']} of {row['planned']}" for row in rows
    )
    status = course.get_status_display().lower()
    facts = [
        HeaderFact("Modality", course.get_modality_display()),
        HeaderFact("Course", f"{course.label} ({status}): {done} done", course.get_absolute_url()),
    ]
    upcoming = course.sessions.filter(status__in=_OPEN).order_by("planned_date", "pk").first()
    if upcoming is not None:
        when = f", {upcoming.planned_date.isoformat()}" if upcoming.planned_date else ""
        url = upcoming.get_absolute_url()
        facts.append(HeaderFact("Next session", f"{upcoming.short_label}{when}", url))
    return facts
