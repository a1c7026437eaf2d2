"""The EMDR section of the client page, and its timeline entries (no free text)."""

from __future__ import annotations

from accounts.access import CLINICAL_ROLES, AuthedRequest
from bls.models import EmdrRecord, PhaseMark
from clients.models import Client
from clients.panels import Panel, TimelineEntry
from treatment.models import Modality, SessionStatus, TreatmentSession

# The record's clinical free text (encrypted, decrypted on every read): a list of
# records shows none of it.
FREE_TEXT = (
    "target_memory",
    "image",
    "negative_cognition",
    "positive_cognition",
    "emotions",
    "body_location",
    "body_scan",
    "closure_reason",
)


def _records(client: Client) -> list[EmdrRecord]:
    """The client's EMDR records, newest first: those of course sessions and those of
    appointments, in two queries that each follow an index (an OR across the two
    joins reads every record of the practice)."""
    records = EmdrRecord.objects.select_related("session__course", "appointment").defer(*FREE_TEXT)
    found = [
        *records.filter(session__course__client=client),
        *records.filter(appointment__client=client),
    ]
    return sorted(found, key=lambda r: (r.created_at, r.pk), reverse=True)


def _marks(records: list[EmdrRecord]) -> list[PhaseMark]:
    """The phase marks of all these records, in one query, in time order."""
    return list(
        PhaseMark.objects.filter(record_id__in=[r.pk for r in records]).order_by("at", "id")
    )


def emdr_panel(request: AuthedRequest, client: Client) -> Panel | None:
    from scheduling.models import Appointment, AppointmentStatus, AppointmentType

    if request.user.role not in CLINICAL_ROLES:
        # The intake team sees EMDR appointments on the schedule, not the record
        # (minimum necessary): no section for them.
        return None
    records = _records(client)
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
    # The panel's template shows each record's latest phase mark: all the marks in
    # one query, the last of each record kept (they come in time order).
    current = {mark.record_id: mark for mark in _marks(records)}
    for record in records:
        record.current = current.get(record.pk)  # type: ignore[attr-defined]
    context = {
        "records": records,
        "open_sessions": sessions,
        "open_appointments": appointments,
        "can_edit": True,
    }
    return Panel(template="bls/_client_panel.html", context=context)


def emdr_entries(client: Client) -> list[TimelineEntry]:
    entries = []
    records = _records(client)
    for record in records:
        url = record.get_absolute_url()
        entries.append(TimelineEntry(record.created_at, "emdr", "EMDR record opened", url))
    urls = {record.pk: record.get_absolute_url() for record in records}
    for mark in _marks(records):
        text = f"EMDR phase {mark.get_phase_display()}"
        entries.append(TimelineEntry(mark.at, "emdr", text, urls[mark.record_id]))
    return entries
