"""A referral to a partner as a ServiceRequest, and its status history: each step of
its thread (sent, scheduled, evaluated, question, answer, closed) is a Provenance of
the request, listed in `relevantHistory` (FHIR R4 ServiceRequest has no status
history of its own; relevantHistory is its "key events in the history").

The messages' free text (a prescriber's question, the therapist's answer) is not
exported: the step and its time are. The referral's snapshot of medications,
allergies and prescreen answers is not either (the record's own MedicationStatements
and AllergyIntolerances are in the Bundle); its diagnoses are the request's reasons.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.provenance import Provenance
from fhir.resources.R4B.servicerequest import ServiceRequest

from interop import codes
from interop.refs import partner_ref, patient_ref, practitioner_ref, ref, rid
from partners.models import Referral, ReferralEvent, ReferralStatus, Step

S = ReferralStatus
OPEN = (S.SENT, S.SCHEDULED, S.NEEDS_INFO, S.INFO_PROVIDED)
EVALUATED = (Step.ELIGIBLE, Step.NOT_ELIGIBLE)


def request_status(referral: Referral, steps: list[str]) -> str:
    """FHIR's request status: open while waiting on either side; completed once
    evaluated; a referral closed before any evaluation was withdrawn (revoked)."""
    if referral.status in OPEN:
        return "active"
    if referral.status == S.CLOSED and not any(step in EVALUATED for step in steps):
        return "revoked"
    return "completed"


def event_id(event: ReferralEvent) -> str:
    return rid("referral-event", event.pk)


def service_request(referral: Referral, events: list[ReferralEvent]) -> ServiceRequest:
    """`events` are this referral's steps, oldest first."""
    data: dict[str, Any] = {
        "id": rid("referral", referral.pk),
        "status": request_status(referral, [event.step for event in events]),
        "intent": "order",
        "category": [codes.concept(text="Referral to a medication-management partner")],
        "code": codes.concept(text="Medical evaluation for ketamine-assisted treatment"),
        "subject": patient_ref(referral.client_id),
        "authoredOn": referral.sent_at,
        "requester": practitioner_ref(referral.referred_by_id),
        "performer": [partner_ref(referral.partner_id)],
        # The release of information the referral was sent under.
        "supportingInfo": [ref("Consent", rid("consent", referral.release_id))],
        "note": [{"text": referral.reason}],
    }
    reasons = [
        codes.concept(
            codes.coding(codes.ICD10CM, item["code"], item.get("description", "")),
            text=item.get("description", ""),
        )
        for item in referral.diagnoses or []
        if isinstance(item, dict) and item.get("code")
    ]
    if reasons:
        data["reasonCode"] = reasons
    if referral.evaluation_at:
        data["occurrenceDateTime"] = referral.evaluation_at
    if referral.not_eligible_reason:
        data["note"].append({"text": f"Not eligible: {referral.not_eligible_reason}"})
    if events:
        data["relevantHistory"] = [ref("Provenance", event_id(event)) for event in events]
    return ServiceRequest.model_validate(data)


def referral_step(event: ReferralEvent) -> Provenance:
    """One step of a referral's thread: what, when, by whom."""
    data: dict[str, Any] = {
        "id": event_id(event),
        "target": [ref("ServiceRequest", rid("referral", event.referral_id))],
        "recorded": event.at,
        "activity": codes.concept(text=event.get_step_display()),
        "agent": [{"who": practitioner_ref(event.by_id)}],
    }
    return Provenance.model_validate(data)
