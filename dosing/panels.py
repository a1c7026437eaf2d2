"""What the dosing record adds to other pages: the client page (a panel and
timeline entries) and the partner portal's referral page. Registered in apps.py."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet

from accounts.access import CLINICAL_ROLES, AuthedRequest
from accounts.actor import actor_from
from audit.services import log_action
from clients.models import Client
from clients.panels import Panel, TimelineEntry
from common.prepared import Prepared
from common.reversing import reverse_numbered
from dosing.models import (
    Addendum,
    Administration,
    AdverseEvent,
    Discharge,
    DosingRecord,
    SessionNote,
)
from partners.access import partner_id_of
from partners.models import Referral
from treatment.models import SessionKind, SessionStatus, TreatmentSession


def client_panel(request: AuthedRequest, client: Client) -> Panel | None:
    """The client's dosing records (links), and dosing sessions whose record can be opened."""
    if request.user.role not in CLINICAL_ROLES:
        return None
    records = list(
        DosingRecord.objects.filter(session__course__client=client)
        .select_related("session__course", "prescription")
        .prefetch_related("administrations")
        .order_by("-opened_at")
    )
    discharged = set(
        Discharge.objects.filter(record__in=records).values_list("record_id", flat=True)
    )
    openable = list(
        TreatmentSession.objects.filter(
            course__client=client,
            kind=SessionKind.DOSING,
            status__in=(SessionStatus.PLANNED, SessionStatus.IN_PROGRESS),
            dosing_record__isnull=True,
        ).select_related("course")
    )
    if not records and not openable:
        return None
    if records:
        log_action(
            actor_from(request),
            "dosing.record.list",
            client=client,
            detail={"records": [r.pk for r in records]},
        )
    rows = [
        {
            "record": r,
            "dose": next((a for a in r.administrations.all() if a.kind == "dose"), None),
            "discharged": r.pk in discharged,
        }
        for r in records
    ]
    context = {"rows": rows, "openable": openable}
    return Panel("dosing/_client_panel.html", context)


def client_timeline(client: Client) -> list[TimelineEntry]:
    """Dose given, adverse event recorded, discharged, session note signed: no free text
    (so none is read: the notes' and events' encrypted text is not decrypted here)."""
    entries: list[TimelineEntry] = []
    records = dict(
        DosingRecord.objects.filter(session__course__client=client).values_list("session_id", "pk")
    )
    ids = list(records.values())

    def record_url(record_id: int) -> str:
        return reverse_numbered("dosing:record", record_id)

    given = Administration.objects.filter(record__in=ids).only("record_id", "kind", "given_at")
    for dose in given:
        text = "Dose given" if dose.kind == Administration.Kind.DOSE else "Booster given"
        entries.append(TimelineEntry(dose.given_at, "dosing", text, record_url(dose.record_id)))
    events = AdverseEvent.objects.filter(record__in=ids).values_list("record_id", "occurred_at")
    for record_id, at in events:
        entries.append(
            TimelineEntry(at, "dosing", "Adverse event recorded", record_url(record_id))
        )
    done = Discharge.objects.filter(record__in=ids).values_list("record_id", "discharged_at")
    for record_id, at in done:
        entries.append(TimelineEntry(at, "dosing", "Discharged", record_url(record_id)))
    notes = SessionNote.objects.filter(session__course__client=client).exclude(signed_at=None)
    for note in notes.only("session_id", "signed_at"):
        found = records.get(note.session_id)
        url = (
            record_url(found) if found else reverse_numbered("treatment:session", note.session_id)
        )
        if note.signed_at:
            entries.append(TimelineEntry(note.signed_at, "note", "Session note signed", url))
    addenda = Addendum.objects.filter(note__in=notes).values_list("note__session_id", "created_at")
    for session_id, at in addenda:
        if found := records.get(session_id):
            entries.append(TimelineEntry(at, "note", "Addendum added", record_url(found)))
    return entries


# The portal's list of a referral's dosing sessions, by SQL compiled once (common.prepared):
# the prescriber's referral page asks on every view, and building the ORM's reads (the
# records, their administrations prefetched, the discharges) was a third of that page's
# work at 10,000 clients (issue 14). Only what the list shows: not the record's free
# text (its intention, its notes, a cancellation's reason), which the portal never
# shows and so never reads or decrypts.
@Prepared
def _portal_records(*, referral: int) -> QuerySet[DosingRecord]:
    records = DosingRecord.objects.filter(prescription__referral_id=referral)
    return records.only("pk", "opened_at").order_by("-opened_at")


@Prepared
def _portal_doses(*, referral: int) -> QuerySet[Administration, tuple[int, Decimal]]:
    # In the administrations' own order (given_at, id), as the record lists them.
    doses = Administration.objects.filter(
        record__prescription__referral_id=referral, kind=Administration.Kind.DOSE
    )
    return doses.order_by("given_at", "id").values_list("record_id", "dose_mg")


@Prepared
def _portal_discharged(*, referral: int) -> QuerySet[Discharge, int]:
    discharged = Discharge.objects.filter(record__prescription__referral_id=referral)
    return discharged.values_list("record_id", flat=True)


def portal_panel(request: AuthedRequest, referral: Referral) -> Panel | None:
    """The dosing session summaries of this referral's client, on the portal referral page."""
    if partner_id_of(request.user) != referral.partner_id:
        return None
    records = _portal_records(referral=referral.pk)
    if not records:
        return None
    first_dose: dict[int, dict[str, Decimal]] = {}
    for record_id, dose_mg in _portal_doses(referral=referral.pk):
        first_dose.setdefault(record_id, {"dose_mg": dose_mg})
    discharged = set(_portal_discharged(referral=referral.pk))
    log_action(
        actor_from(request),
        "dosing.summary.list",
        client=referral.client,
        detail={"referral": referral.pk, "records": [r.pk for r in records]},
    )
    rows = [
        {"record": r, "dose": first_dose.get(r.pk), "discharged": r.pk in discharged}
        for r in records
    ]
    return Panel("dosing/_portal_panel.html", {"rows": rows})
