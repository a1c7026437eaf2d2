"""The reads behind a client's FHIR export: everything the Bundle holds, in a fixed
number of queries however long the record (each kind of row is one query, with the
rows it points at joined or prefetched; the staff it names are read once at the end).
interop/tests/test_queries.py counts them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F

from accounts.models import User
from bls.models import EmdrRecord
from clients.models import Allergy, Client, Diagnosis, ReportedMedication
from consents.models import SignedConsent
from dosing.models import Administration, AdverseEvent, VitalSigns
from measures.models import Response
from partners.models import Partner, Referral, ReferralEvent
from prescriptions.models import Prescription
from scheduling.models import Appointment
from treatment.models import TreatmentSession


@dataclass
class ClientRecord:
    """One client's record, as the FHIR builders read it (every list by id, so the
    same record gives the same Bundle)."""

    client: Client
    diagnoses: list[Diagnosis]
    medications: list[ReportedMedication]
    allergies: list[Allergy]
    responses: list[Response]
    referrals: list[Referral]
    referral_events: list[ReferralEvent]
    prescriptions: list[Prescription]
    consents: list[SignedConsent]
    sessions: list[TreatmentSession]
    appointments: list[Appointment]
    vitals: list[VitalSigns]
    administrations: list[Administration]
    adverse_events: list[AdverseEvent]
    emdr_records: list[EmdrRecord]
    partners: list[Partner] = field(default_factory=list)
    staff: list[User] = field(default_factory=list)


def client_record(client: Client) -> ClientRecord:
    """One client's record: 16 queries."""
    return client_records([client])[client.pk]


def _by_client(
    rows: Iterable[Any], client_of: Callable[[Any], Iterable[int]]
) -> dict[int, list[Any]]:
    """Rows grouped by the client(s) each belongs to, in the order read (rows of any
    model: some carry the client's id as an annotation, `in_client`)."""
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        for pk in client_of(row):
            grouped[pk].append(row)
    return grouped


def _own(row: Any) -> tuple[int]:
    return (row.client_id,)


def _annotated(row: Any) -> tuple[int]:
    return (row.in_client,)


def client_records(clients: Sequence[Client]) -> dict[int, ClientRecord]:
    """The records of `clients` (by id), in the same 16 queries whether there is one
    client or a batch of hundreds (the practice's bulk export reads them by batch). Each
    list is ordered as for one client, so a record is the same read alone or in a batch."""
    ids = [c.pk for c in clients]
    wanted = set(ids)
    in_client = "record__session__course__client_id"
    diagnoses = _by_client(Diagnosis.objects.filter(client__in=ids).order_by("pk"), _own)
    medications = _by_client(
        ReportedMedication.objects.filter(client__in=ids).order_by("pk"), _own
    )
    allergies = _by_client(Allergy.objects.filter(client__in=ids).order_by("pk"), _own)
    responses = _by_client(
        Response.objects.filter(client__in=ids).select_related("instrument").order_by("pk"), _own
    )
    referrals = _by_client(
        Referral.objects.filter(client__in=ids).select_related("partner").order_by("pk"), _own
    )
    referral_events = _by_client(
        ReferralEvent.objects.filter(referral__client__in=ids)
        .annotate(in_client=F("referral__client_id"))
        .order_by("at", "pk"),
        _annotated,
    )
    prescriptions = _by_client(Prescription.objects.filter(client__in=ids).order_by("pk"), _own)
    consents = _by_client(
        SignedConsent.objects.filter(client__in=ids)
        .select_related("document", "partner", "revocation")
        .order_by("pk"),
        _own,
    )
    sessions = _by_client(
        TreatmentSession.objects.filter(course__client__in=ids)
        .select_related("course")
        .order_by("pk"),
        lambda s: (s.course.client_id,),
    )
    appointments = _by_client(Appointment.objects.filter(client__in=ids).order_by("pk"), _own)

    def of_dosing_records(model: Any) -> Any:
        # Vitals, doses and adverse events hang off a dosing record the same way.
        rows = (
            model.objects.filter(record__session__course__client__in=ids)
            .annotate(in_client=F(in_client))
            .select_related("record")
            .order_by("pk")
        )
        return _by_client(rows, _annotated)

    vitals = of_dosing_records(VitalSigns)
    administrations = of_dosing_records(Administration)
    adverse_events = of_dosing_records(AdverseEvent)
    # A record belongs to the client of its session and to the client of its
    # appointment (the same client, but each is asked for on its own, as for one client).
    # Found by id through the union of the two look-ups, each through its own indexes: an
    # OR across the two joins read every appointment and session of the practice on
    # PostgreSQL (58–135 ms for one client of 10,000; test_explain_pages.py).
    emdr = EmdrRecord.objects.order_by()  # a compound statement's parts are not ordered
    emdr_ids = (
        emdr.filter(session__course__client__in=ids)
        .values_list("pk", flat=True)
        .union(emdr.filter(appointment__client__in=ids).values_list("pk", flat=True))
    )
    emdr_records = _by_client(
        EmdrRecord.objects.filter(pk__in=emdr_ids)
        .annotate(
            by_session=F("session__course__client_id"), by_appointment=F("appointment__client_id")
        )
        .prefetch_related("phase_marks")
        .order_by("pk"),
        lambda e: {pk for pk in (e.by_session, e.by_appointment) if pk in wanted},
    )
    records = {
        c.pk: ClientRecord(
            client=c,
            diagnoses=diagnoses[c.pk],
            medications=medications[c.pk],
            allergies=allergies[c.pk],
            responses=responses[c.pk],
            referrals=referrals[c.pk],
            referral_events=referral_events[c.pk],
            prescriptions=prescriptions[c.pk],
            consents=consents[c.pk],
            sessions=sessions[c.pk],
            appointments=appointments[c.pk],
            vitals=vitals[c.pk],
            administrations=administrations[c.pk],
            adverse_events=adverse_events[c.pk],
            emdr_records=emdr_records[c.pk],
        )
        for c in clients
    }
    named = {pk: staff_ids(r) for pk, r in records.items()}
    users = User.objects.filter(pk__in=set().union(*named.values())).order_by("pk")
    staff = {u.pk: u for u in users}
    for pk, record in records.items():
        partners = {r.partner.pk: r.partner for r in record.referrals}
        partners.update(
            {c.partner.pk: c.partner for c in record.consents if c.partner is not None}
        )
        record.partners = sorted(partners.values(), key=lambda p: p.pk)
        record.staff = [staff[u] for u in sorted(named[pk]) if u in staff]
    return records


def staff_ids(record: ClientRecord) -> set[int]:
    """Every user the record names (who recorded, gave, witnessed, referred, prescribed)."""
    ids: set[int | None] = set()
    ids.update(d.added_by_id for d in record.diagnoses)
    ids.update(r.entered_by_id for r in record.responses)
    ids.update(r.referred_by_id for r in record.referrals)
    ids.update(e.by_id for e in record.referral_events)
    ids.update(p.prescriber_id for p in record.prescriptions)
    ids.update(c.revocation.recorded_by_id for c in record.consents if c.is_revoked)
    ids.update(a.clinician_id for a in record.appointments)
    ids.update(v.recorded_by_id for v in record.vitals)
    for given in record.administrations:
        ids.update((given.given_by_id, given.witnessed_by_id))
    ids.update(e.recorded_by_id for e in record.adverse_events)
    ids.update(e.created_by_id for e in record.emdr_records)
    return {pk for pk in ids if pk is not None}
