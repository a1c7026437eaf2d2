"""The Provenance that ties an export to the practice: every resource in the Bundle
is a target, the practice is the custodian (the organisation that keeps the record),
and `recorded` is the moment of the export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fhir.resources.R4B.provenance import Provenance

from interop import codes
from interop.refs import practice_ref, ref

EXPORT_PROVENANCE_ID = "export"


def export_provenance(targets: list[tuple[str, str]], at: dt.datetime) -> Provenance:
    """`targets` are (resource type, id) of every resource exported."""
    data: dict[str, Any] = {
        "id": EXPORT_PROVENANCE_ID,
        "target": [ref(kind, resource_id) for kind, resource_id in targets],
        "recorded": at,
        "activity": codes.concept(text="Export of the client's record"),
        "agent": [
            {
                "type": codes.concept(
                    codes.coding(codes.PROVENANCE_AGENT_TYPE, codes.CUSTODIAN, "Custodian")
                ),
                "who": practice_ref(),
            }
        ],
    }
    return Provenance.model_validate(data)
