"""The treatment facts in the client chart's header (settings.PATHWAYS_CLIENT_FACTS):
the modality of the current course, how far it has come and the next session."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.access import AuthedRequest
from clients.models import Client
from clients.panels import HeaderFact
from common.prepared import Prepared, first_query, with_parent
from treatment.models import CourseStatus, SessionStatus, TreatmentCourse, TreatmentSession
from treatment.queries import course_progress

# The course the header speaks of: an active one first, then a planned one, then
# the latest that ended.
_CURRENT_FIRST = (CourseStatus.ACTIVE, CourseStatus.PLANNED)
_OPEN = (SessionStatus.PLANNED, SessionStatus.IN_PROGRESS)


def current_course(client: Client) -> TreatmentCourse | None:
    courses = client_courses(client)
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
    upcoming = upcoming_session(course)
    if upcoming is not None:
        when = f", {upcoming.planned_date.isoformat()}" if upcoming.planned_date else ""
        url = upcoming.get_absolute_url()
        facts.append(HeaderFact("Next session", f"{upcoming.short_label}{when}", url))
    return facts


def client_courses(client: Client) -> list[TreatmentCourse]:
    """`client.courses`, newest first."""
    return with_parent(_courses(client=client.pk), "client", client)


def upcoming_session(course: TreatmentCourse) -> TreatmentSession | None:
    """The course's next open session."""
    found = with_parent(_upcoming(course=course.pk), "course", course)
    return found[0] if found else None


# The chart header's reads, compiled once (common.prepared; issue 14): the queries
# `client.courses.order_by(...)` and `course.sessions.filter(...).first()` ran.
@Prepared
def _courses(*, client: int) -> QuerySet[TreatmentCourse]:
    return TreatmentCourse.objects.filter(client_id=client).order_by("-created_at", "-pk")


@Prepared
def _upcoming(*, course: int) -> QuerySet[TreatmentSession]:
    sessions = TreatmentSession.objects.filter(course_id=course, status__in=_OPEN)
    return first_query(sessions.order_by("planned_date", "pk"))
