"""The client's session notes, on the chart's notes tab (settings.PATHWAYS_CLIENT_PANELS):
each session's note, signed or a draft, with its addenda count. No note text: the
link opens the note where it is written (the dosing record, or the session)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count

from accounts.access import CLINICAL_ROLES, AuthedRequest
from clients.models import Client
from clients.panels import Panel
from dosing.models import DosingRecord, SessionNote
from treatment.models import SessionStatus, TreatmentCourse, TreatmentSession


def _number(sessions: list[TreatmentSession], client: Client) -> None:
    """Give each session and its course the number its label shows ("KAP course 1,
    dosing 2 of 6"), counted from two queries over the client's courses and sessions
    rather than two counts per session (the same rule as `TreatmentSession.number`
    and `TreatmentCourse.number`: in order of creation, cancelled sessions not counted)."""
    courses: dict[str, list[int]] = defaultdict(list)
    for pk, modality in TreatmentCourse.objects.filter(client=client).values_list(
        "pk", "modality"
    ):
        courses[modality].append(pk)
    kept: dict[tuple[int, str], list[int]] = defaultdict(list)
    rows = TreatmentSession.objects.filter(course__client=client).exclude(
        status=SessionStatus.CANCELLED
    )
    for pk, course_id, kind in rows.values_list("pk", "course_id", "kind"):
        kept[(course_id, kind)].append(pk)
    for session in sessions:
        course = session.course
        course.number = sum(1 for pk in courses[course.modality] if pk <= course.pk)
        if session.status == SessionStatus.CANCELLED:
            session.number = None
        else:
            same = kept[(session.course_id, session.kind)]
            session.number = sum(1 for pk in same if pk <= session.pk)


def notes_panel(request: AuthedRequest, client: Client) -> Panel | None:
    if request.user.role not in CLINICAL_ROLES:
        return None
    notes = list(
        SessionNote.objects.filter(session__course__client=client)
        .select_related("session__course", "signed_by", "author")
        .annotate(addenda_count=Count("addenda"))
        .order_by("-session__planned_date", "-pk")
    )
    _number([note.session for note in notes], client)
    records = dict(
        DosingRecord.objects.filter(session__in=[n.session_id for n in notes]).values_list(
            "session_id", "pk"
        )
    )
    rows = [
        {
            "note": note,
            "session": note.session,
            "record_id": records.get(note.session_id),
        }
        for note in notes
    ]
    return Panel("dosing/_notes_panel.html", {"rows": rows})
