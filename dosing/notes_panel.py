"""The client's session notes, on the chart's notes tab (settings.PATHWAYS_CLIENT_PANELS):
each session's note, signed or a draft, with its addenda count. No note text: the
link opens the note where it is written (the dosing record, or the session)."""

from __future__ import annotations

from django.db.models import Count

from accounts.access import CLINICAL_ROLES, AuthedRequest
from clients.models import Client
from clients.panels import Panel
from dosing.models import DosingRecord, SessionNote


def notes_panel(request: AuthedRequest, client: Client) -> Panel | None:
    if request.user.role not in CLINICAL_ROLES:
        return None
    notes = list(
        SessionNote.objects.filter(session__course__client=client)
        .select_related("session__course", "signed_by", "author")
        .annotate(addenda_count=Count("addenda"))
        .order_by("-session__planned_date", "-pk")
    )
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
