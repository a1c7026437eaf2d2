"""A client's whole record as one FHIR R4 Bundle of type `collection`
(clinical-reference.md, "FHIR": the whole record → Bundle).

Every resource has an id fixed by the row it comes from (interop.refs), and a
fullUrl under the practice's FHIR base, so that the references between resources
("Patient/client-3") resolve inside the Bundle. The reads are interop.queries'
(a fixed number of queries); the builders are one module per area.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.resource import Resource

from clients.models import Client
from interop import (
    consents,
    encounters,
    medications,
    observations,
    patient,
    practice,
    questionnaires,
    referrals,
)
from interop.provenance import export_provenance
from interop.queries import ClientRecord, client_record
from interop.refs import full_url, rid
from partners.models import ReferralEvent


def _record_resources(record: ClientRecord) -> list[Resource]:
    """The client, the practice and the people the record names, then its history."""
    return [
        patient.patient(record.client),
        practice.practice_organization(),
        *(practice.partner_organization(partner) for partner in record.partners),
        *(practice.practitioner(user) for user in record.staff),
        *(patient.condition(diagnosis) for diagnosis in record.diagnoses),
        *(medications.medication_statement(item) for item in record.medications),
        *(patient.allergy_intolerance(allergy) for allergy in record.allergies),
    ]


def _measure_resources(record: ClientRecord) -> list[Resource]:
    instruments = {response.instrument_id: response.instrument for response in record.responses}
    found: list[Resource] = [
        questionnaires.questionnaire(instrument)
        for instrument in sorted(instruments.values(), key=lambda i: i.code)
    ]
    for response in record.responses:
        found.append(questionnaires.questionnaire_response(response))
        found.extend(observations.measure_observations(response))
    return found


def _referral_resources(record: ClientRecord) -> list[Resource]:
    steps: dict[int, list[ReferralEvent]] = defaultdict(list)
    for event in record.referral_events:
        steps[event.referral_id].append(event)
    found: list[Resource] = []
    for referral in record.referrals:
        found.append(referrals.service_request(referral, steps[referral.pk]))
        found.extend(referrals.referral_step(event) for event in steps[referral.pk])
    prior = medications.priors(record.prescriptions)
    found.extend(
        medications.medication_request(rx, prior.get(rx.pk)) for rx in record.prescriptions
    )
    found.extend(consents.consent(signed) for signed in record.consents)
    return found


def _session_resources(record: ClientRecord) -> list[Resource]:
    client_pk = record.client.pk
    booked = {a.session_id: a for a in record.appointments if a.session_id is not None}
    visits = {a.pk: v for a in record.appointments if (v := encounters.visit_encounter(a))}
    return [
        *(encounters.appointment(a) for a in record.appointments),
        *(encounters.session_encounter(s, booked.get(s.pk)) for s in record.sessions),
        *visits.values(),
        *(
            v
            for vitals in record.vitals
            for v in observations.vital_observations(vitals, client_pk)
        ),
        *(medications.medication_administration(a, client_pk) for a in record.administrations),
        *(
            medications.adverse_event(event, client_pk, record.administrations)
            for event in record.adverse_events
        ),
        *(
            encounters.emdr_procedure(r, client_pk, encounters.emdr_encounter(r, set(visits)))
            for r in record.emdr_records
        ),
    ]


def record_resources(record: ClientRecord, at: dt.datetime) -> list[Resource]:
    """Every resource of the record, then the Provenance that names them all."""
    found = [
        *_record_resources(record),
        *_measure_resources(record),
        *_referral_resources(record),
        *_session_resources(record),
    ]
    targets = [(r.get_resource_type(), str(r.id)) for r in found]
    return [*found, export_provenance(targets, at)]


def client_bundle(*, client: Client, at: dt.datetime | None = None) -> Bundle:
    """The client's record as a Bundle of type `collection`, as of `at` (now)."""
    at = at or timezone.now()
    resources = record_resources(client_record(client), at)
    entries: list[dict[str, Any]] = [
        {"fullUrl": full_url(r.get_resource_type(), str(r.id)), "resource": r} for r in resources
    ]
    return Bundle.model_validate(
        {
            "id": rid("client", client.pk, "record"),
            "type": "collection",
            "timestamp": at,
            "entry": entries,
        }
    )


def resource_counts(bundle: Bundle) -> dict[str, int]:
    """How many resources of each type the Bundle holds, by type (for the audit)."""
    counts = Counter(
        entry.resource.get_resource_type()
        for entry in bundle.entry or []
        if entry.resource is not None
    )
    return dict(sorted(counts.items()))
