"""Reads the amendment pages share."""

from __future__ import annotations

from django.urls import reverse

from amendments.models import AmendmentRequest, RecordPart


def suggested_link(amendment: AmendmentRequest) -> str:
    """Where the change for this part of the record is usually made: the edit page
    for demographics, the client page (diagnoses, medications, allergies, the
    timeline's notes and measures) for the rest."""
    if amendment.concerns == RecordPart.DEMOGRAPHICS:
        return reverse("clients:edit", args=[amendment.client_id])
    return reverse("clients:detail", args=[amendment.client_id])
