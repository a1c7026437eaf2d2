"""A KAP client with something of every kind the FHIR export holds, built with the
project's test builders (pathways.testing and each app's tests/support.py): the
record, two measures (a PHQ-9 with item 9 answered), a referral with its steps, a
prescription revised once, signed consents (one revoked), a dosing session with
vitals, a dose given by one clinician and witnessed by another, an adverse event,
and an EMDR hour with its record."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import User
from bls.models import EmdrRecord, Phase, PhaseMark
from clients.models import Allergy, Client, Diagnosis, ReportedMedication
from consents.models import ConsentKind, SignedConsent
from consents.services import consent_revoke
from dosing.models import Administration, AdverseEvent, DosingRecord, VitalSigns
from dosing.tests.support import add_vitals, dosed_and_checked, open_record, revise
from measures.models import Instrument, Response
from measures.tests.factories import make_response, make_score
from partners.models import Partner, ReferralEvent, Step
from pathways.testing import make_signed_consent
from prescriptions.models import Prescription
from scheduling.models import Appointment, AppointmentStatus, AppointmentType
from scheduling.tests.factories import make_appointment

DETAILS: dict[str, Any] = {
    "first_name": "Dana",
    "last_name": "Scully",
    "preferred_name": "Dee",
    "date_of_birth": dt.date(1984, 2, 23),
    "email": "dana@example.com",
    "phone": "(555) 010-0142",
    "address_line1": "12 Quarry Lane",
    "city": "Richmond",
    "state": "VA",
    "postal_code": "23219",
    "emergency_contact_name": "Margaret Scully",
    "emergency_contact_relationship": "Mother",
    "emergency_contact_phone": "(555) 010-0143",
}


# The reads of a client's record, or of a batch of records (interop.queries.client_records):
# one query per kind of row (15) and one for the staff they name.
EXPORT_QUERIES = 16


@dataclass
class KapRecord:
    client: Client
    phq9: Response
    gad7: Response
    rx_v1: Prescription
    rx_v2: Prescription
    kap_consent: SignedConsent
    revoked: SignedConsent
    record: DosingRecord
    dose: Administration
    vitals: list[VitalSigns]
    event: AdverseEvent
    emdr: EmdrRecord
    emdr_visit: Appointment


def kap_record(therapist: User, witness: User, prescriber: User, partner: Partner) -> KapRecord:
    call_command("load_instruments", stdout=io.StringIO())
    ready, record = open_record(therapist, prescriber, partner)
    client = ready.client
    Client.objects.filter(pk=client.pk).update(**DETAILS)
    client.refresh_from_db()
    Diagnosis.objects.create(
        client=client,
        code="F33.1",
        description="Major depressive disorder, recurrent, moderate",
        added_by=therapist,
    )
    ReportedMedication.objects.create(
        client=client, name="Sertraline", dose="100 mg", frequency="once a day"
    )
    Allergy.objects.create(
        client=client, substance="Penicillin", reaction="Hives", severity=Allergy.Severity.MODERATE
    )
    phq9 = make_response(
        client,
        Instrument.objects.get(code="phq9"),
        # Within the 72 hours the dose's PHQ-9 check asks for (measures.gate).
        timezone.now() - dt.timedelta(days=1),
        q1=2,
        q2=3,
        q9=2,
    )
    gad7 = make_score(client, "gad7", 12, timezone.now() - dt.timedelta(days=3))
    assert ready.referral is not None
    assert ready.prescription is not None
    for step in (Step.SENT, Step.SCHEDULED, Step.ELIGIBLE):
        ReferralEvent.objects.create(referral=ready.referral, step=step, by=therapist)
    rx_v2 = revise(prescriber, ready.prescription, dose_mg=Decimal("150"))
    ready.prescription.refresh_from_db()
    telehealth = make_signed_consent(client, ConsentKind.TELEHEALTH)
    consent_revoke(
        actor=Actor.for_user(therapist), signed=telehealth, reason="Sessions in person."
    )
    telehealth.refresh_from_db()
    dose = dosed_and_checked(record, therapist, witness, mg="150")
    add_vitals(record, therapist, phase=VitalSigns.Phase.MONITORING, minutes_ago=60, systolic=134)
    event = AdverseEvent.objects.create(
        record=record,
        type=AdverseEvent.Type.NAUSEA,
        severity=AdverseEvent.Severity.MILD,
        occurred_at=dose.given_at + dt.timedelta(minutes=30),
        action_taken="Ondansetron 4 mg given.",
        recorded_by=therapist,
    )
    emdr, visit = emdr_hour(client, therapist)
    assert ready.consent is not None
    return KapRecord(
        client=client,
        phq9=phq9,
        gad7=gad7,
        rx_v1=ready.prescription,
        rx_v2=rx_v2,
        kap_consent=ready.consent,
        revoked=telehealth,
        record=record,
        dose=dose,
        vitals=list(record.vitals.order_by("pk")),
        event=event,
        emdr=emdr,
        emdr_visit=visit,
    )


def emdr_hour(client: Client, therapist: User) -> tuple[EmdrRecord, Appointment]:
    """An EMDR appointment (no ketamine) that took place, with its record closed."""
    starts = timezone.now() - dt.timedelta(days=10)
    visit = make_appointment(
        client,
        therapist,
        starts,
        minutes=90,
        type=AppointmentType.EMDR,
        status=AppointmentStatus.COMPLETED,
        arrived_at=starts,
        completed_at=starts + dt.timedelta(minutes=90),
    )
    emdr = EmdrRecord.objects.create(
        appointment=visit,
        target_memory="The crash on the bridge.",
        sud_start=8,
        voc_start=2,
        closure=EmdrRecord.Closure.COMPLETE,
        sud_end=1,
        voc_end=6,
        created_by=therapist,
    )
    for minutes, phase in (
        (5, Phase.ASSESSMENT),
        (20, Phase.DESENSITISATION),
        (80, Phase.CLOSURE),
    ):
        PhaseMark.objects.create(
            record=emdr, phase=phase, at=starts + dt.timedelta(minutes=minutes), by=therapist
        )
    return emdr, visit


def parsed(bundle_json: str | bytes) -> dict[str, dict[str, Any]]:
    """The resources of a Bundle's JSON, parsed back with fhir.resources and dumped
    again as plain data, by "Type/id"."""
    from fhir.resources.R4B.bundle import Bundle

    bundle = Bundle.model_validate_json(bundle_json)
    found: dict[str, dict[str, Any]] = {}
    for entry in bundle.entry or []:
        assert entry.resource is not None
        data = entry.resource.model_dump(mode="json")
        found[f"{data['resourceType']}/{data['id']}"] = data
    return found


def references(data: Any) -> list[str]:
    """Every `reference` inside a resource (nested anywhere)."""
    if isinstance(data, dict):
        found = [data["reference"]] if isinstance(data.get("reference"), str) else []
        return found + [ref for value in data.values() for ref in references(value)]
    if isinstance(data, list):
        return [ref for value in data for ref in references(value)]
    return []
