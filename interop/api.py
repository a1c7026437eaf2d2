"""The partner read API (issue 13 §2): a read-only FHIR R4 REST endpoint under /fhir/R4/.

- Who: a prescriber of a partner organisation, by a bearer token the practice admin
  issued (interop.tokens). No session, no sign-in page: a call without a valid token
  answers 401 with an OperationOutcome and `WWW-Authenticate: Bearer`.
- What: Patient, Observation, Consent, ServiceRequest, MedicationRequest and
  MedicationAdministration of the clients referred to the prescriber's organisation
  whose release of information to it is in force at the moment of the call
  (partners.access.shared, read at every call). Anything else answers 404, exactly as
  a resource that does not exist. Of a client's referrals, prescriptions and consents,
  only those of this organisation (and the consents to no partner) are served.
- How: resources come from the export's builders (interop.bundle.record_resources), so
  a resource has the id and content it has in the client's Bundle.
- Every call is audited: "fhir.api_read", "fhir.api_search" or "fhir.api_refused"
  (with the reason), who (the token's prescriber, or the address alone), the client.
- An answer that carries a client's data is a disclosure to the partner: in the
  transaction of its audit entry, one partners.Disclosure per client whose data it
  carried, to the organisation and its prescriber, under the release in force that the
  call was served under (partners.disclosures.disclosure_api_reads). A refusal, an
  empty search and the CapabilityStatement carry none, and record none.
- No cookie authenticates here, so the views are exempt from CSRF; they take GET only
  (anything else: 405). Every answer is `Cache-Control: no-store`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.resource import Resource

from accounts.actor import Actor
from accounts.models import Role
from audit.services import log_action
from clients.models import Client
from common.ip import client_ip
from common.tokens import token_hash
from consents.models import SignedConsent
from dosing.models import Administration, VitalSigns
from interop import patient
from interop.bundle import record_resources
from interop.capability import capability_statement
from interop.fhir_json import resource_json
from interop.models import ApiToken
from interop.queries import ClientRecord, client_record
from interop.refs import full_url
from measures.models import Response
from partners.access import partner_id_of, release_id_of, shared
from partners.disclosures import disclosure_api_reads
from partners.models import Referral
from prescriptions.models import Prescription

FHIR_JSON = "application/fhir+json"
READ_ACTION = "fhir.api_read"
SEARCH_ACTION = "fhir.api_search"
REFUSED_ACTION = "fhir.api_refused"
# The row behind each resource id the API serves ("<kind>-<pk>[-suffix]", interop.refs),
# and the path from that row to its client: a read finds the client in one query
# before anything of the record is read.
ID_KINDS: dict[tuple[str, str], tuple[type[Model], str]] = {
    ("Patient", "client"): (Client, "pk"),
    ("Observation", "measure-response"): (Response, "client_id"),
    ("Observation", "vitals"): (VitalSigns, "record__session__course__client_id"),
    ("Consent", "consent"): (SignedConsent, "client_id"),
    ("ServiceRequest", "referral"): (Referral, "client_id"),
    ("MedicationRequest", "prescription"): (Prescription, "client_id"),
    ("MedicationAdministration", "administration"): (
        Administration,
        "record__session__course__client_id",
    ),
}
TYPES: tuple[str, ...] = tuple(dict.fromkeys(t for t, _ in ID_KINDS))
ID_PATTERN = re.compile(r"^([a-z]+(?:-[a-z]+)*)-(\d{1,18})(?:-[A-Za-z0-9.-]{1,40})?$")
PATIENT_PATTERN = re.compile(r"^(?:Patient/)?client-(\d{1,18})$")
# A bearer token is 43 characters (common.tokens); anything much longer is not one.
MAX_TOKEN = 200


@dataclass(frozen=True)
class Caller:
    """The prescriber a valid token speaks for, and their organisation."""

    token: ApiToken
    partner_id: int
    actor: Actor


class Refusal(Exception):
    """An answer other than the resource: its status, FHIR issue code and text (for the
    caller, never PHI) and the reason the audit records."""

    def __init__(self, status: int, code: str, text: str, reason: str) -> None:
        super().__init__(text)
        self.status, self.code, self.text, self.reason = status, code, text, reason


# --- Answers -----------------------------------------------------------------------


def fhir_response(resource: Resource, status: int = 200) -> HttpResponse:
    response = HttpResponse(resource_json(resource), status=status, content_type=FHIR_JSON)
    response["Cache-Control"] = "no-store"
    return response


def operation_outcome(code: str, text: str) -> OperationOutcome:
    return OperationOutcome.model_validate(
        {"issue": [{"severity": "error", "code": code, "diagnostics": text}]}
    )


def _refused(
    request: HttpRequest,
    refusal: Refusal,
    actor: Actor,
    token: ApiToken | None,
    **detail: Any,
) -> HttpResponse:
    log_action(
        actor,
        REFUSED_ACTION,
        token,
        detail={
            "status": refusal.status,
            "reason": refusal.reason,
            "method": request.method or "",
            **detail,
        },
    )
    response = fhir_response(operation_outcome(refusal.code, refusal.text), refusal.status)
    if refusal.status == 401:
        error = "" if refusal.reason == "no_token" else ', error="invalid_token"'
        response["WWW-Authenticate"] = f'Bearer realm="pathways-fhir"{error}'
    if refusal.status == 405:
        response["Allow"] = "GET"
    return response


def _not_found() -> Refusal:
    return Refusal(404, "not-found", "No such resource.", "not_found")


# --- Who calls -----------------------------------------------------------------------


def _token_of(request: HttpRequest) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value or len(value) > MAX_TOKEN:
        return ""
    return value


def find_token(request: HttpRequest) -> ApiToken | None:
    """The token the request bears, valid or not, or None (none, or not one of ours)."""
    plaintext = _token_of(request)
    if not plaintext:
        return None
    return (
        ApiToken.objects.select_related("prescriber")
        .filter(token_hash=token_hash(plaintext))
        .first()
    )


def authenticate(request: HttpRequest, token: ApiToken | None) -> Caller:
    """The caller of a valid token; a 401 Refusal otherwise."""
    invalid = "The bearer token is not valid."
    if token is None:
        if not _token_of(request):
            raise Refusal(401, "login", "A bearer token is required.", "no_token")
        raise Refusal(401, "login", invalid, "unknown_token")
    now = timezone.now()
    state = token.state(now)
    if state != "active":
        raise Refusal(401, "login", invalid, f"{state}_token")
    prescriber = token.prescriber
    partner_id = partner_id_of(prescriber)
    if not (prescriber.is_active and prescriber.role == Role.PRESCRIBER) or partner_id is None:
        raise Refusal(401, "login", invalid, "not_a_prescriber")
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return Caller(token=token, partner_id=partner_id, actor=_actor(request, token))


def _actor(request: HttpRequest, token: ApiToken | None) -> Actor:
    # A revoked or expired token still says whose it was: the refusal is theirs.
    if token is None:
        return Actor.anonymous(client_ip(request))
    return Actor.for_user(token.prescriber, client_ip(request))


def _api_view(serve: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET only, a valid token, and every refusal answered and audited in one place."""

    @csrf_exempt
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        token = find_token(request)
        try:
            if request.method != "GET":
                raise Refusal(405, "not-supported", "This API is read-only.", "method")
            caller = authenticate(request, token)
            return serve(request, caller, **kwargs)
        except Refusal as refusal:
            return _refused(request, refusal, _actor(request, token), token, **_requested(kwargs))

    view.__name__ = serve.__name__
    view.__doc__ = serve.__doc__
    return view


def _requested(kwargs: dict[str, Any]) -> dict[str, str]:
    """What was asked for, for the audit: the type, and the id only when it has the
    shape of one of ours (ids hold no PHI; whatever else was typed might)."""
    found: dict[str, str] = {}
    if (kind := kwargs.get("resource_type")) in TYPES:
        found["type"] = kind
    if isinstance(rid_ := kwargs.get("resource_id"), str) and ID_PATTERN.match(rid_):
        found["id"] = rid_
    return found


# --- What the caller may read ----------------------------------------------------------


def shared_referral(caller: Caller, client_pk: int) -> Referral:
    """A referral of the client to the caller's organisation under a release in force
    now (partners.access.shared), or 404."""
    found = (
        shared(Referral.objects.filter(partner_id=caller.partner_id, client_id=client_pk))
        .select_related("client")
        .order_by("pk")
        .first()
    )
    if found is None:
        raise _not_found()
    return found


def scoped(record: ClientRecord, partner_id: int) -> ClientRecord:
    """The record without what belongs to other organisations: their referrals, the
    prescriptions written under them, and releases to them."""
    record.referrals = [r for r in record.referrals if r.partner_id == partner_id]
    ours = {r.pk for r in record.referrals}
    record.referral_events = [e for e in record.referral_events if e.referral_id in ours]
    record.prescriptions = [p for p in record.prescriptions if p.referral_id in ours]
    record.consents = [c for c in record.consents if c.partner_id in (None, partner_id)]
    return record


def client_resources(caller: Caller, client: Client, resource_type: str) -> list[Resource]:
    """The client's resources of `resource_type`, as the Bundle builds them."""
    record = scoped(client_record(client), caller.partner_id)
    return [
        r
        for r in record_resources(record, timezone.now())
        if r.get_resource_type() == resource_type
    ]


def _client_of(resource_type: str, resource_id: str) -> int:
    match = ID_PATTERN.match(resource_id)
    if match is None or (resource_type, match.group(1)) not in ID_KINDS:
        raise _not_found()
    model, path = ID_KINDS[(resource_type, match.group(1))]
    client_pk = (
        model._default_manager.filter(pk=int(match.group(2))).values_list(path, flat=True).first()
    )
    if client_pk is None:
        raise _not_found()
    return int(client_pk)


def _audit(
    caller: Caller,
    action: str,
    referral: Referral | None,
    disclosed: list[Referral],
    **detail: Any,
) -> None:
    """The call's audit entry and, in its transaction, a disclosure per client of
    `disclosed` (the referrals, read under a release in force, of the clients whose
    data the answer carries)."""
    shared_detail: dict[str, Any] = {"partner": caller.partner_id}
    if referral is not None:
        shared_detail["release"] = release_id_of(referral)
    with transaction.atomic():
        log_action(
            caller.actor,
            action,
            caller.token,
            client=referral.client if referral is not None else None,
            detail={**shared_detail, **detail},
        )
        if disclosed:
            disclosure_api_reads(
                actor=caller.actor, referrals=disclosed, object_ids={"api_token": caller.token.pk}
            )


def _searchset(resources: list[Resource]) -> Bundle:
    return Bundle.model_validate(
        {
            "type": "searchset",
            "timestamp": timezone.now(),
            "total": len(resources),
            "entry": [
                {
                    "fullUrl": full_url(r.get_resource_type(), str(r.id)),
                    "resource": r,
                    "search": {"mode": "match"},
                }
                for r in resources
            ],
        }
    )


# --- The views -------------------------------------------------------------------------


def _read(
    request: HttpRequest, caller: Caller, resource_type: str, resource_id: str
) -> HttpResponse:
    """GET <Type>/<id>."""
    if resource_type not in TYPES:
        raise Refusal(404, "not-supported", "This resource type is not served.", "type")
    referral = shared_referral(caller, _client_of(resource_type, resource_id))
    found = [
        r for r in client_resources(caller, referral.client, resource_type) if r.id == resource_id
    ]
    if not found:
        raise _not_found()
    _audit(caller, READ_ACTION, referral, [referral], resource=f"{resource_type}/{resource_id}")
    return fhir_response(found[0])


def _patient_param(value: str) -> int:
    match = PATIENT_PATTERN.match(value)
    if match is None:
        raise _not_found()
    return int(match.group(1))


def _search(request: HttpRequest, caller: Caller, resource_type: str) -> HttpResponse:
    """GET <Type>?patient=<Patient id> (Patient: ?_id=<id>, or every shared client)."""
    if resource_type not in TYPES:
        raise Refusal(404, "not-supported", "This resource type is not served.", "type")
    key = "_id" if resource_type == "Patient" else "patient"
    unknown = set(request.GET) - {key}
    if unknown or len(request.GET.getlist(key)) > 1:
        text = f"{resource_type} is searched by {key} alone."
        raise Refusal(400, "not-supported", text, "parameter")
    if key not in request.GET:
        if resource_type != "Patient":
            raise Refusal(400, "required", "Search by patient=<Patient id>.", "parameter")
        return _every_patient(caller)
    referral = shared_referral(caller, _patient_param(request.GET[key]))
    if resource_type == "Patient":
        resources: list[Resource] = [patient.patient(referral.client)]
    else:
        resources = client_resources(caller, referral.client, resource_type)
    disclosed = [referral] if resources else []
    _audit(caller, SEARCH_ACTION, referral, disclosed, type=resource_type, count=len(resources))
    return fhir_response(_searchset(resources))


def _every_patient(caller: Caller) -> HttpResponse:
    """Patient with no parameter: every client shared with the organisation now."""
    referrals = list(
        shared(Referral.objects.filter(partner_id=caller.partner_id))
        .select_related("client")
        .order_by("client_id", "pk")
    )
    # The first referral of each client (the release is the client's to the partner).
    first: dict[int, Referral] = {}
    for r in referrals:
        first.setdefault(r.client_id, r)
    clients = [r.client for r in first.values()]
    resources: list[Resource] = [patient.patient(c) for c in clients]
    _audit(
        caller,
        SEARCH_ACTION,
        None,
        list(first.values()),
        type="Patient",
        count=len(resources),
        clients=[c.pk for c in clients],
    )
    return fhir_response(_searchset(resources))


def _unknown(request: HttpRequest, caller: Caller, rest: str = "") -> HttpResponse:
    raise Refusal(404, "not-supported", "No such endpoint.", "endpoint")


read = _api_view(_read)
search = _api_view(_search)
unknown = _api_view(_unknown)


@csrf_exempt
def metadata(request: HttpRequest) -> HttpResponse:
    """GET metadata: the CapabilityStatement, for anyone (it holds no PHI)."""
    actor = Actor.anonymous(client_ip(request))
    if request.method != "GET":
        refusal = Refusal(405, "not-supported", "This API is read-only.", "method")
        return _refused(request, refusal, actor, None)
    log_action(actor, READ_ACTION, detail={"resource": "CapabilityStatement"})
    return fhir_response(capability_statement(TYPES))
