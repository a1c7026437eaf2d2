"""Each signed consent and release of information as a Consent: its scope
(`treatment`, or `patient-privacy` for a release; clinical-reference.md, "FHIR"),
the period it is in force (from the signature to the revocation, if any), the
partner a release names as recipient, and the text as signed (an attachment with
its SHA-1, as FHIR's Attachment.hash asks).

The reason given for a revocation has no element in R4's Consent and is not
exported; the revocation's time is the end of the period, and the status becomes
`inactive`.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from fhir.resources.R4B.consent import Consent

from consents.models import ConsentKind, SignedConsent
from interop import codes
from interop.refs import partner_ref, patient_ref, practice_ref, rid


def _signed_text(signed: SignedConsent) -> dict[str, Any]:
    text = f"{signed.title_signed}\n\n{signed.body_signed}".encode()
    return {
        "contentType": "text/plain; charset=utf-8",
        "language": "en",
        "data": base64.b64encode(text).decode(),
        # FHIR R4 Attachment.hash: the base64 SHA-1 of the data.
        "hash": base64.b64encode(hashlib.sha1(text, usedforsecurity=False).digest()).decode(),
        "title": signed.title_signed,
        "creation": signed.signed_at,
    }


def consent(signed: SignedConsent) -> Consent:
    revoked = signed.revocation.revoked_at if signed.is_revoked else None
    release = signed.document.kind == ConsentKind.ROI
    scope = codes.SCOPE_PRIVACY if release else codes.SCOPE_TREATMENT
    provision: dict[str, Any] = {"type": "permit", "period": {"start": signed.signed_at}}
    if revoked:
        provision["period"]["end"] = revoked
    if release and signed.partner_id:
        provision["actor"] = [
            {
                "role": codes.concept(text="Recipient of the information released"),
                "reference": partner_ref(signed.partner_id),
            }
        ]
    data: dict[str, Any] = {
        "id": rid("consent", signed.pk),
        "status": "inactive" if revoked else "active",
        "scope": codes.concept(codes.coding(codes.CONSENT_SCOPE, scope)),
        "category": [codes.concept(text=signed.document.get_kind_display())],
        "patient": patient_ref(signed.client_id),
        "dateTime": signed.signed_at,
        "performer": [patient_ref(signed.client_id)],
        "organization": [practice_ref()],
        "sourceAttachment": _signed_text(signed),
        "policyRule": codes.concept(
            text=f"{signed.title_signed} (version {signed.document.version})"
        ),
        "provision": provision,
    }
    return Consent.model_validate(data)
