"""The partner read API's CapabilityStatement (`GET /fhir/R4/metadata`): what the
server reads and searches, and how a caller authenticates. It holds no PHI."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from common.links import site_url
from interop.refs import FHIR_BASE

FHIR_JSON = "application/fhir+json"


def capability_statement(types: Sequence[str]) -> CapabilityStatement:
    """The statement for an API that reads and searches `types`."""

    def searched_by(kind: str) -> dict[str, Any]:
        if kind == "Patient":
            return {"name": "_id", "type": "token"}
        return {"name": "patient", "type": "reference"}

    return CapabilityStatement.model_validate(
        {
            "id": "pathways-fhir-api",
            "status": "active",
            "date": timezone.now(),
            "kind": "instance",
            "fhirVersion": "4.0.1",
            "format": [FHIR_JSON],
            "software": {"name": "Pathways"},
            "implementation": {
                "description": "Pathways partner read API",
                "url": site_url(FHIR_BASE),
            },
            "rest": [
                {
                    "mode": "server",
                    "documentation": (
                        "Read-only. Clients referred to the caller's organisation with a "
                        "release of information in force at the moment of the call."
                    ),
                    "security": {
                        "description": (
                            "A bearer token (Authorization: Bearer <token>) issued to one "
                            "prescriber by the practice admin; 401 without a valid one."
                        )
                    },
                    "resource": [
                        {
                            "type": kind,
                            "interaction": [{"code": "read"}, {"code": "search-type"}],
                            "searchParam": [searched_by(kind)],
                        }
                        for kind in types
                    ],
                }
            ],
        }
    )
