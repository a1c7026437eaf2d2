"""Reads of treatment that other apps ask through settings (see common.plugins)."""

from __future__ import annotations

from prescriptions.models import Prescription
from treatment.models import SessionKind, TreatmentSession


def dosing_sessions_used(rx: Prescription) -> int:
    """Dosing sessions started on `rx`'s chain (settings.PATHWAYS_SESSIONS_USED):
    a session counts once it has started, whichever version it started on."""
    return (
        TreatmentSession.objects.filter(
            kind=SessionKind.DOSING, prescription__in=rx.chain_versions()
        )
        .exclude(started_at=None)
        .count()
    )
