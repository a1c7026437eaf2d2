"""The treatment section of the client page, and its timeline entries."""

from __future__ import annotations

from accounts.access import CLINICAL_ROLES, AuthedRequest
from clients.models import Client
from clients.panels import Panel, TimelineEntry
from treatment.models import TreatmentSession
from treatment.queries import course_progress


def courses_panel(request: AuthedRequest, client: Client) -> Panel:
    courses = [(course, course_progress(course)) for course in client.courses.all()]
    context = {"courses": courses, "can_edit": request.user.role in CLINICAL_ROLES}
    return Panel(template="treatment/_client_panel.html", context=context)


def treatment_entries(client: Client) -> list[TimelineEntry]:
    entries = []
    for course in client.courses.all():
        text = f"{course.get_modality_display()} course started"
        entries.append(TimelineEntry(course.created_at, "course", text, course.get_absolute_url()))
    sessions = TreatmentSession.objects.filter(course__client=client).exclude(started_at=None)
    for session in sessions:
        label = session.get_kind_display()
        url = session.get_absolute_url()
        if session.started_at:
            text = f"{label} session started"
            entries.append(TimelineEntry(session.started_at, "session", text, url))
        if session.completed_at:
            text = f"{label} session completed"
            entries.append(TimelineEntry(session.completed_at, "session", text, url))
    return entries
