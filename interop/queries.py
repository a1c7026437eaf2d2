"""The reads behind a client's FHIR export: everything the Bundle holds, in a fixed
number of queries however long the record (each kind of row is one query, with the
rows it points at joined or prefetched; the staff it names are read once at the end).
interop/tests/test_queries.py counts them."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

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
    record = ClientRecord(
        client=client,
        diagnoses=list(Diagnosis.objects.filter(client=client).order_by("pk")),
        medications=list(ReportedMedication.objects.filter(client=client).order_by("pk")),
        allergies=list(Allergy.objects.filter(client=client).order_by("pk")),
        responses=list(
            Response.objects.filter(client=client).select_related("instrument").order_by("pk")
        ),
        referrals=list(
            Referral.objects.filter(client=client).select_related("partner").order_by("pk")
        ),
        referral_events=list(
            ReferralEvent.objects.filter(referral__client=client).order_by("at", "pk")
        ),
        prescriptions=list(Prescription.objects.filter(client=client).order_by("pk")),
        consents=list(
            SignedConsent.objects.filter(client=client)
            .select_related("document", "partner", "revocation")
            .order_by("pk")
        ),
        sessions=list(
            TreatmentSession.objects.filter(course__client=client)
            .select_related("course")
            .order_by("pk")
        ),
        appointments=list(Appointment.objects.filter(client=client).order_by("pk")),
        vitals=list(
            VitalSigns.objects.filter(record__session__course__client=client)
            .select_related("record")
            .order_by("pk")
        ),
        administrations=list(
            Administration.objects.filter(record__session__course__client=client)
            .select_related("record")
            .order_by("pk")
        ),
        adverse_events=list(
            AdverseEvent.objects.filter(record__session__course__client=client)
            .select_related("record")
            .order_by("pk")
        ),
        emdr_records=list(
            EmdrRecord.objects.filter(
                Q(session__course__client=client) | Q(appointment__client=client)
            )
            .prefetch_related("phase_marks")
            .order_by("pk")
        ),
    )
    partners = {r.partner.pk: r.partner for r in record.referrals}
    partners.update({c.partner.pk: c.partner for c in record.consents if c.partner is not None})
    record.partners = sorted(partners.values(), key=lambda p: p.pk)
    record.staff = list(User.objects.filter(pk__in=staff_ids(record)).order_by("pk"))
    return record


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
