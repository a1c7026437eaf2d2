"""The client record's own timeline entries: where the client came from.

In intake, not clients: the entries read the appointment request, and clients sits
below intake in the layers (settings.PATHWAYS_TIMELINE_SOURCES names this function).
"""

from __future__ import annotations

from clients.models import Client
from clients.panels import TimelineEntry
from intake.models import AppointmentRequest


def record_entries(client: Client) -> list[TimelineEntry]:
    entries = [TimelineEntry(client.created_at, "record", "Client record created")]
    request = AppointmentRequest.objects.filter(client=client).first()
    if request is not None:
        # No link: a therapist may see the client but not the request it came from.
        entries.append(
            TimelineEntry(request.created_at, "request", "Appointment request received")
        )
        for change in request.status_changes.all():
            text = f"Request moved to “{change.get_to_status_display()}”"
            entries.append(TimelineEntry(change.changed_at, "request", text))
    for diagnosis in client.diagnoses.all():
        text = f"Diagnosis added: {diagnosis.code}"
        entries.append(TimelineEntry(diagnosis.added_at, "record", text))
    return entries
