"""The dosing readiness gate: may this dosing session start now?

Every condition is checked on the server each time, and the page lists exactly
which fail. There is no override. The conditions come from the KAP pathway the
practice runs (issue 3): an eligible evaluation by the partner, an active
prescription valid today with sessions left, signed consent for the modality
and a release of information, an escort confirmed for today, no unacknowledged
safety alert, and at least one completed preparation session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from clients.models import Client
from common.plugins import plugins
from common.timefmt import local_day, local_hm
from consents.models import ConsentKind
from consents.queries import consent_in_force, release_in_force
from partners.models import Referral, ReferralStatus
from prescriptions.models import Prescription, RxStatus
from prescriptions.queries import active_prescription_for
from treatment.models import Modality, SessionKind, SessionStatus, TreatmentSession


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    ok: bool
    detail: str


MODALITY_CONSENT: dict[str, str] = {
    Modality.KAP: ConsentKind.KAP,
    Modality.KA_EMDR: ConsentKind.KA_EMDR,
}


def eligible_referral(client: Client) -> Referral | None:
    return (
        Referral.objects.filter(client=client, status=ReferralStatus.ELIGIBLE)
        .order_by("-updated_at")
        .first()
    )


def _day(at: dt.datetime | None) -> str:
    return local_day(at, "an unrecorded date")


def _prescription_check(
    session: TreatmentSession, today: dt.date
) -> tuple[Check, Prescription | None]:
    client = session.course.client
    label = "An active prescription, valid today, for this modality, with authorised sessions left"
    rx = active_prescription_for(client, today)
    if rx is None:
        latest = Prescription.objects.filter(client=client).order_by("-created_at").first()
        if latest is None:
            detail = "No prescription from the partner prescriber yet."
        elif latest.status == RxStatus.DISCONTINUED:
            detail = f"The prescription was discontinued on {_day(latest.discontinued_at)}."
        else:
            detail = f"No prescription is valid today ({today:%Y-%m-%d})."
        return Check("prescription", label, False, detail), None
    modality = session.course.modality
    if not rx.authorises(modality):
        detail = (
            f"{rx} is written for {rx.get_modality_display()}, not for a "
            f"{Modality(modality).label} dose."
        )
        return Check("prescription", label, False, detail), None
    left = rx.sessions_left()
    started_on_chain = (
        session.started_at is not None
        and session.prescription_id is not None
        and rx.chain_versions().filter(pk=session.prescription_id).exists()
    )
    if started_on_chain:
        # This session already took its authorised session when it started: the
        # re-check at each dose must not count it twice.
        detail = f"{rx} valid to {rx.valid_to:%Y-%m-%d}; this session is authorised."
        return Check("prescription", label, True, detail), rx
    if left <= 0:
        detail = f"All {rx.sessions_authorised} authorised dosing sessions have been used."
        return Check("prescription", label, False, detail), None
    detail = f"{rx} valid to {rx.valid_to:%Y-%m-%d}; {left} session(s) left."
    return Check("prescription", label, True, detail), rx


@dataclass(frozen=True)
class Gate:
    """What every condition of the gate reads: the session, today, and the prescription
    and referral that would govern the dose (worked out once, for all conditions)."""

    session: TreatmentSession
    today: dt.date
    rx: Prescription | None
    rx_check: Check
    referral: Referral | None

    @property
    def client(self) -> Client:
        return self.session.course.client


# A gate condition: one Check for a Gate. The conditions, in the order the page lists
# them, are settings.PATHWAYS_GATE_CONDITIONS (an app adds its own there; measures
# adds the safety alerts).
GateCondition = Callable[[Gate], Check]


def dosing_readiness(
    session: TreatmentSession, today: dt.date | None = None
) -> tuple[list[Check], Prescription | None]:
    """Every condition for dosing in `session`, and the prescription it would use.

    Run when the session starts and again, against the current state, before every
    dose and booster (dosing.rules.dose_gate): a session already started on a
    prescription chain does not need a further authorised session.
    """
    today = today or timezone.localdate()
    rx_check, rx = _prescription_check(session, today)
    # The evaluation and the release that count are those of the referral the
    # prescription was written on; without a prescription, any eligible one.
    referral = rx.referral if rx else eligible_referral(session.course.client)
    gate = Gate(session=session, today=today, rx=rx, rx_check=rx_check, referral=referral)
    return [condition(gate) for condition in plugins("PATHWAYS_GATE_CONDITIONS")], rx


def referral_condition(gate: Gate) -> Check:
    referral = gate.referral
    eligible = referral is not None and referral.status == ReferralStatus.ELIGIBLE
    if referral is None:
        detail = "No eligible evaluation."
    elif eligible:
        detail = f"Eligible: {referral.partner} referral."
    else:
        detail = f"The {referral.partner} referral is “{referral.get_status_display()}”."
    label = "The partner's evaluation found the client eligible"
    return Check("referral", label, eligible, detail)


def prescription_condition(gate: Gate) -> Check:
    return gate.rx_check


def consent_condition(gate: Gate) -> Check:
    kind = MODALITY_CONSENT[gate.session.course.modality]
    consent = consent_in_force(gate.client, kind)
    label = f"Signed {ConsentKind(kind).label}, not revoked"
    detail = f"Signed {_day(consent.signed_at)}." if consent else "Not signed, or revoked."
    return Check("consent", label, consent is not None, detail)


def release_condition(gate: Gate) -> Check:
    referral = gate.referral
    release = release_in_force(gate.client, referral.partner_id) if referral else None
    label = "A signed release of information to the partner"
    if release:
        detail = f"Signed {_day(release.signed_at)}."
    else:
        detail = "Not signed, or revoked." if referral else "Needs an eligible referral first."
    return Check("release", label, release is not None, detail)


def escort_condition(gate: Gate) -> Check:
    session = gate.session
    confirmed = session.escort_confirmed_at
    escort_ok = confirmed is not None and timezone.localdate(confirmed) == gate.today
    detail = (
        f"{session.escort_name}, confirmed {local_hm(confirmed)}."
        if escort_ok and confirmed
        else "No escort or ride confirmed for today."
    )
    return Check("escort", "An escort or ride is confirmed for today", escort_ok, detail)


def preparation_condition(gate: Gate) -> Check:
    prepared = gate.session.course.sessions.filter(
        kind=SessionKind.PREPARATION, status=SessionStatus.COMPLETED
    ).count()
    detail = f"{prepared} completed." if prepared else "No preparation session completed yet."
    return Check("preparation", "At least one preparation session completed", prepared > 0, detail)
