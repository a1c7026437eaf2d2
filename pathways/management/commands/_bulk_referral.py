"""The partner side of a course in the bulk practice: the consents signed on their
links, the referral at each step of the state machine (partners.STEPS) with its
disclosure, and the prescription chain the partner writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from consents.models import ConsentRequest, SignedConsent
from partners.models import Disclosure, Referral, ReferralEvent, ReferralStatus, Step
from partners.prescreen import ITEM_LABELS
from pathways.management.commands._bulk_common import Who, at
from pathways.management.commands._bulk_world import Person, World
from prescriptions.models import Prescription, RxStatus

DAY = dt.timedelta(days=1)
LIMITS = {
    "min_systolic": 90,
    "max_systolic": 140,
    "min_diastolic": 50,
    "max_diastolic": 90,
    "hr_min": 50,
    "hr_max": 110,
    "spo2_min": 94,
    "spo2_max": 100,
}


def consent_signed(
    world: World, who: Person, kind: str, sent: dt.datetime, partner: int | None
) -> int:
    tables, trail = world.tables, world.trail
    therapist = world.practice.clinicians[who.clinician]
    document, sha, title, body = world.practice.documents[kind]
    signed_at = sent + dt.timedelta(hours=9, minutes=world.rng.randrange(60))
    request = tables[ConsentRequest].add(
        client_id=who.client_id,
        document_id=document,
        partner_id=partner,
        created_by_id=therapist[0] if therapist else None,
        token_hash=world.rng.getrandbits(256).to_bytes(32, "big").hex(),
        created_at=sent,
        expires_at=sent + dt.timedelta(hours=72),
        used_at=signed_at,
    )
    signed = tables[SignedConsent].add(
        client_id=who.client_id,
        document_id=document,
        partner_id=partner,
        request_id=request,
        typed_name=who.name,
        agreed=True,
        signed_at=signed_at,
        ip=who.ip,
        document_sha256=sha,
        title_signed=title,
        body_signed=body,
    )
    c = who.client_id
    trail.log(
        sent,
        therapist,
        "consent.send",
        ConsentRequest,
        request,
        c,
        {
            "kind": kind,
            "document": document,
            "version": 1,
            "partner": partner,
            "emailed": True,
        },
    )
    trail.log(
        signed_at - dt.timedelta(minutes=4),
        None,
        "consent.open",
        ConsentRequest,
        request,
        c,
        {},
        who.ip,
    )
    trail.log(
        signed_at,
        None,
        "consent.sign",
        SignedConsent,
        signed,
        c,
        {
            "request": request,
            "kind": kind,
            "document": document,
            "version": 1,
            "partner": partner,
        },
        who.ip,
    )
    return signed


def referral_sent(
    world: World, who: Person, day: dt.date, partner: int, prescriber: Who, release: int
) -> tuple[int, dt.datetime | None]:
    """Sent on `day`; returns its id and when it was found eligible (None: not, or not yet)."""
    tables, trail, rng = world.tables, world.trail, world.rng
    therapist = world.practice.clinicians[who.clinician]
    code, description = who.diagnosis
    sent = at(day, 12)
    evaluation = at(day + 7 * DAY, 14)
    eligible = rng.random() > 0.05
    final = Step.ELIGIBLE if eligible else Step.NOT_ELIGIBLE
    steps: list[tuple[str, str, dt.datetime, Who, dt.datetime | None]] = [
        (Step.SENT, ReferralStatus.SENT, sent, therapist, None)
    ]
    steps.append(
        (Step.SCHEDULED, ReferralStatus.SCHEDULED, at(day + 2 * DAY, 10), prescriber, evaluation)
    )
    steps.append(
        (final, ReferralStatus(final), evaluation + dt.timedelta(hours=1), prescriber, None)
    )
    reached = [step for step in steps if step[2] <= world.trail.now]
    status, updated = reached[-1][1], reached[-1][2]
    referral = tables[Referral].reserve()
    previous: str = ReferralStatus.SENT
    for step, target, when, by, booked in reached:
        event = tables[ReferralEvent].add(
            referral_id=referral,
            step=step,
            by_id=by[0] if by else None,
            at=when,
            evaluation_at=booked,
            text="" if step != Step.NOT_ELIGIBLE else "Blood pressure untreated; refer again.",
        )
        if step == Step.SENT:
            tables[Disclosure].add(
                client_id=who.client_id,
                partner_id=partner,
                release_id=release,
                kind="referral",
                channel="practice_send",
                at=when,
                by_id=by[0] if by else None,
                object_ids={"referral": referral, "event": event},
            )
            trail.log(
                when,
                by,
                "referral.send",
                Referral,
                referral,
                who.client_id,
                {
                    "partner": partner,
                    "release": release,
                    "event": event,
                    "status": target,
                },
            )
        else:
            trail.log(
                when,
                by,
                "referral.step",
                Referral,
                referral,
                who.client_id,
                {
                    "step": step,
                    "from": previous,
                    "to": target,
                    "event": event,
                },
            )
        previous = target
    tables[Referral].add(
        id=referral,
        client_id=who.client_id,
        partner_id=partner,
        referred_by_id=therapist[0] if therapist else None,
        release_id=release,
        reason="Symptoms that therapy alone has not lifted; exploring ketamine-assisted care.",
        diagnoses=[{"code": code, "description": description}],
        medications=[],
        allergies=[],
        prescreen=dict.fromkeys(ITEM_LABELS, "no"),
        measure_scores=[],
        status=status,
        evaluation_at=evaluation if len(reached) > 1 else None,
        not_eligible_reason="Blood pressure untreated; refer again."
        if status == "not_eligible"
        else "",
        sent_at=sent,
        updated_at=updated,
    )
    return referral, (updated if status == ReferralStatus.ELIGIBLE else None)


@dataclass
class Chain:
    """A prescription chain: (id, version, terms, written) of each version."""

    referral: int
    prescriber: Who
    versions: list[tuple[int, int, dict[str, object], dt.datetime]] = field(default_factory=list)


def prescription_chain(
    world: World, who: Person, chain: Chain, planned: int, valid_to: dt.date
) -> None:
    """Each version of the chain: the last active, the others superseded."""
    tables, trail, prescriber, versions = (
        world.tables,
        world.trail,
        chain.prescriber,
        chain.versions,
    )
    root, written = versions[0][0], versions[0][3]
    for number, (pk, version, terms, when) in enumerate(versions):
        latest = number == len(versions) - 1
        tables[Prescription].add(
            id=pk,
            client_id=who.client_id,
            referral_id=chain.referral,
            prescriber_id=prescriber[0] if prescriber else None,
            chain_id=None if version == 1 else root,
            version=version,
            medication="Ketamine",
            sessions_authorised=planned,
            valid_from=written.date(),
            valid_to=valid_to,
            holds=[{"medication": "Benzodiazepines", "hours": 24}],
            fasting_solids_hours=Decimal(4),
            fasting_liquids_hours=Decimal(2),
            status=RxStatus.ACTIVE if latest else RxStatus.SUPERSEDED,
            created_at=when,
            **LIMITS,
            **terms,
        )
        if version == 1:
            trail.log(
                when,
                prescriber,
                "prescription.create",
                Prescription,
                pk,
                who.client_id,
                {"referral": chain.referral, "version": 1, "status": "active"},
            )
        else:
            trail.log(
                when,
                prescriber,
                "prescription.revise",
                Prescription,
                pk,
                who.client_id,
                {
                    "chain": root,
                    "from_version": version - 1,
                    "to_version": version,
                    "superseded": versions[number - 1][0],
                    "changed": ["dose_mg"],
                },
            )
