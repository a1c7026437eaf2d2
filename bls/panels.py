"""The EMDR section of the client page, and its timeline entries (no free text)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.access import CLINICAL_ROLES, AuthedRequest
from bls.models import EmdrRecord, PhaseMark
from clients.models import Client
from clients.panels import Panel, TimelineEntry
from treatment.models import Modality, SessionStatus, TreatmentSession


def _records(client: Client) -> QuerySet[EmdrRecord]:
    return (
        EmdrRecord.objects.filter(
            Q(session__course__client=client) | Q(appointment__client=client)
        )
        .select_related("session__course", "appointment")
        .order_by("-created_at", "-id")
    )


def emdr_panel(request: AuthedRequest, client: Client) -> Panel | None:
    from scheduling.models import Appointment, AppointmentStatus, AppointmentType

    if request.user.role not in CLINICAL_ROLES:
        # The intake team sees EMDR appointments on the schedule, not the record
        # (minimum necessary): no section for them.
        return None
    records = list(_records(client))
    # KA-EMDR course sessions and EMDR appointments that have no record yet.
    sessions = list(
        TreatmentSession.objects.filter(
            course__client=client, course__modality=Modality.KA_EMDR, emdr_record=None
        ).exclude(status=SessionStatus.CANCELLED)
    )
    appointments = list(
        Appointment.objects.filter(
            client=client, type=AppointmentType.EMDR, emdr_record=None
        ).exclude(status__in=[AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW])
    )
    if not (records or sessions or appointments):
        return None
    for record in records:
        # The panel's template shows each record's latest phase mark.
        record.current = record.phase_marks.order_by("-at", "-id").first()  # type: ignore[attr-defined]
    context = {
        "records": records,
        "open_sessions": sessions,
        "open_appointments": appointments,
        "can_edit": True,
    }
    return Panel(template="bls/_client_panel.html", context=context)


def emdr_entries(client: Client) -> list[TimelineEntry]:
    entries = []
    for record in _records(client):
        url = record.get_absolute_url()
        entries.append(TimelineEntry(record.created_at, "emdr", "EMDR record opened", url))
    marks = PhaseMark.objects.filter(
        Q(record__session__course__client=client) | Q(record__appointment__client=client)
    ).select_related("record")
    for mark in marks:
        text = f"EMDR phase {mark.get_phase_display()}"
        entries.append(TimelineEntry(mark.at, "emdr", text, mark.record.get_absolute_url()))
    return entries
