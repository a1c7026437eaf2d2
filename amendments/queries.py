"""Reads the amendment pages share."""

from __future__ import annotations

from amendments.models import AmendmentRequest, RecordPart
from common.reversing import reverse_numbered


def suggested_link(amendment: AmendmentRequest) -> str:
    """Where the change for this part of the record is usually made: the edit page
    for demographics, the client page (diagnoses, medications, allergies, the
    timeline's notes and measures) for the rest."""
    if amendment.concerns == RecordPart.DEMOGRAPHICS:
        return reverse_numbered("clients:edit", amendment.client_id)
    return reverse_numbered("clients:detail", amendment.client_id)
