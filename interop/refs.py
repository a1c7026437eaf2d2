"""Resource ids and references. Every id names the kind of row and its primary key
("measure-response-12"), so the same row gives the same id in every export and a
receiver can tell an update from a new resource. Ids never hold anything about the
person (FHIR ids are [A-Za-z0-9-.]{1,64})."""

from __future__ import annotations

from typing import Any

from common.links import site_url

# Where the resources would be read from: the partner read API of issue 13 §2 will
# answer under this base, so the Bundle's fullUrls are already those URLs.
FHIR_BASE = "/fhir/R4"
# The practice itself (one Organization per installation).
PRACTICE_ID = "practice"


def rid(kind: str, pk: Any, *suffix: str) -> str:
    return "-".join((kind, str(pk), *suffix))


def ref(resource_type: str, resource_id: str, display: str = "") -> dict[str, Any]:
    found: dict[str, Any] = {"reference": f"{resource_type}/{resource_id}"}
    if display:
        found["display"] = display
    return found


def full_url(resource_type: str, resource_id: str) -> str:
    return site_url(f"{FHIR_BASE}/{resource_type}/{resource_id}")


def patient_ref(client_pk: int) -> dict[str, Any]:
    return ref("Patient", rid("client", client_pk))


def practitioner_ref(user_pk: int) -> dict[str, Any]:
    return ref("Practitioner", rid("user", user_pk))


def practice_ref() -> dict[str, Any]:
    return ref("Organization", PRACTICE_ID)


def partner_ref(partner_pk: int) -> dict[str, Any]:
    return ref("Organization", rid("partner", partner_pk))


def encounter_ref(session_pk: int) -> dict[str, Any]:
    return ref("Encounter", rid("session", session_pk))


def identifier_system(kind: str) -> str:
    """The system of the practice's own ids for `kind` (a URL under SITE_URL: the
    practice's namespace, as FHIR asks of a local identifier system)."""
    return site_url(f"{FHIR_BASE}/sid/{kind}")
