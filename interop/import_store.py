"""Storing an import plan (`interop.importing.read_bundle` reads it): the measures as
a paper form is stored, with the file's time and their safety alerts raised, and the
reported medications, through the services everyone else uses, in one transaction,
audited per response and for the import as a whole."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from accounts.actor import Actor
from audit.services import log_action
from clients.models import Client, ReportedMedication
from clients.services import medication_add
from interop.import_plan import ImportPlan
from interop.importing import IMPORT_ACTION, MEASURE_ACTION, SOURCE_NOTE
from measures import services
from measures.models import Response, SafetyAlert, Source


@dataclass(frozen=True)
class ImportResult:
    responses: list[Response]
    alerts: list[SafetyAlert]
    medications: list[ReportedMedication]


def plan_store(*, actor: Actor, client: Client, plan: ImportPlan) -> ImportResult:
    """Store the plan's measures (as a paper form is stored, with the file's time, and
    its alerts raised) and medications, in one transaction, and audit the import."""
    responses: list[Response] = []
    alerts: list[SafetyAlert] = []
    medications: list[ReportedMedication] = []
    with transaction.atomic():
        for found in plan.measures:
            items, unscored = services.split_answers(found.instrument.definition, found.answers)
            response, raised = services.response_record_with_alerts(
                actor=actor,
                client=client,
                instrument=found.instrument,
                answers=items,
                unscored=unscored,
                source=Source.FHIR,
                answered_at=found.answered_at,
            )
            log_action(
                actor,
                MEASURE_ACTION,
                response,
                client=client,
                detail={
                    "source": SOURCE_NOTE,
                    "instrument": found.instrument.code,
                    "total": response.total,
                    "file_total": found.file_total,
                },
            )
            responses.append(response)
            alerts.extend(raised)
        for med in plan.medications:
            medications.append(
                medication_add(actor=actor, client=client, name=med.name, dose=med.dose)
            )
        log_action(
            actor,
            IMPORT_ACTION,
            client,
            client=client,
            detail={
                "source": SOURCE_NOTE,
                "responses": [r.pk for r in responses],
                "medications": [m.pk for m in medications],
                "skipped": len(plan.skipped),
                "alerts": len(alerts),
            },
        )
    return ImportResult(responses=responses, alerts=alerts, medications=medications)
