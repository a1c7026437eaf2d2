"""The DAP note of a session (data, assessment, plan): signing locks it; then only addenda.

Audited writes, each in one transaction under the dosing record's row lock."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.actor import Actor
from audit.services import log_action
from dosing.base import DosingError, client_of, lock_record, too_long
from dosing.models import Addendum, DosingRecord, SessionNote
from treatment.models import TreatmentSession

# --- The DAP note --------------------------------------------------------------

NOTE_FIELDS = ["data", "assessment", "plan"]


def note_for(session: TreatmentSession) -> SessionNote | None:
    return SessionNote.objects.filter(session=session).first()


def note_save(
    *, actor: Actor, record: DosingRecord, data: str, assessment: str, plan: str
) -> SessionNote:
    """Write the note's data (what happened), assessment and plan; refused once signed."""
    values = {"data": data, "assessment": assessment, "plan": plan}
    refusals = too_long(SessionNote, values)
    if refusals:
        raise DosingError(*refusals)
    with transaction.atomic():
        record = lock_record(record)
        note = SessionNote.objects.select_for_update().filter(session=record.session).first()
        if note is not None and note.is_signed:
            raise DosingError("The note is signed and locked: add an addendum instead.")
        if note is None:
            note = SessionNote(session=record.session, author=actor.staff)
        changed = [name for name in NOTE_FIELDS if getattr(note, name) != values[name]]
        for name in NOTE_FIELDS:
            setattr(note, name, values[name])
        note.save()
        log_action(
            actor,
            "note.save",
            note,
            client=client_of(record),
            detail={"record": record.pk, "fields": changed},
        )
    return note


def note_sign(*, actor: Actor, record: DosingRecord) -> SessionNote:
    with transaction.atomic():
        record = lock_record(record)
        note = SessionNote.objects.select_for_update().filter(session=record.session).first()
        if note is None:
            raise DosingError("Write the note before signing it.")
        if note.is_signed:
            raise DosingError("The note is already signed.")
        empty = [name for name in NOTE_FIELDS if not getattr(note, name).strip()]
        if empty:
            raise DosingError("Complete data, assessment and plan before signing.")
        note.signed_at = timezone.now()
        note.signed_by = actor.staff
        note.save(update_fields=["signed_at", "signed_by", "updated_at"])
        log_action(
            actor, "note.sign", note, client=client_of(record), detail={"record": record.pk}
        )
    return note


def addendum_add(*, actor: Actor, record: DosingRecord, text: str) -> Addendum:
    if not text.strip():
        raise DosingError("Write the addendum.")
    refusals = too_long(Addendum, {"text": text})
    if refusals:
        raise DosingError(*refusals)
    with transaction.atomic():
        record = lock_record(record)
        note = SessionNote.objects.filter(session=record.session).first()
        if note is None or not note.is_signed:
            raise DosingError("An addendum is added to a signed note: edit the note instead.")
        addendum = Addendum.objects.create(note=note, text=text, author=actor.staff)
        log_action(
            actor,
            "note.addendum",
            note,
            client=client_of(record),
            detail={"record": record.pk, "addendum": addendum.pk},
        )
    return addendum
