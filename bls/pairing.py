"""The BLS display's pairing with a record, and the sets it runs (bls-protocol.md).

A display (the client's screen, anonymous) asks for a pairing and shows its 6-digit
code; the record's therapist types the code and the display is theirs to control until
they end it. Only hashes are stored: the code (it works once, for
BLS_PAIRING_SECONDS) and the resume token the display keeps to reconnect. A set the
display runs logs itself when it ends (`set_finish`), under the pairing's row lock, so
that a "finished" and a dropped connection arriving together log it once.

Who may control a display is decided here (`therapist_of`, `may_control`), and asked
again at every command, against the database as it is then.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Role, User
from audit.services import log_action
from bls.models import BlsType, DesensitisationSet, DisplayPairing, EmdrRecord
from bls.services import next_set_slot
from common.prepared import Prepared, first_query

CODE_DIGITS = 6
EXPIRED_MESSAGE = "That code has expired: ask for the code the display shows now."
INVALID_MESSAGE = "That code is not valid or was already used."
# The display's modes, and the set log's BLS type for each (bls-protocol.md).
MODE_TO_BLS = {"eyes": BlsType.EYES, "auditory": BlsType.AUDITORY, "both": BlsType.BOTH}
# A set the display reports is at most this long: a report beyond it is refused as
# implausible (the control panel allows 600 s or 200 passes at 0.5 passes/s = 400 s).
MAX_SET_MS = 3_600_000
MAX_PASSES = 1000


class PairingError(Exception):
    """A pairing refused; `errors` maps the form field to the message shown beside it."""

    def __init__(self, message: str, *, field: str = "code") -> None:
        self.errors = {field: message}
        super().__init__(message)


def _hash(value: str) -> str:
    # Keyed with SECRET_KEY: the 10^6 codes cannot be looked up from the table alone.
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def code_hash(code: str) -> str:
    return _hash(f"bls-code:{code}")


def resume_hash(token: str) -> str:
    return _hash(f"bls-resume:{token}")


# --- Who controls a record's display -------------------------------------------


def therapist_of(record: EmdrRecord) -> User | None:
    """The clinician of the record's appointment (its own, or the one that books its
    course session), else the client's assigned therapist."""
    from scheduling.models import Appointment

    appointment = record.appointment
    if appointment is None and record.session_id is not None:
        appointment = Appointment.objects.filter(session_id=record.session_id).first()
    if appointment is not None:
        return appointment.clinician
    return record.client.assigned_therapist


def therapist_id_of(record: EmdrRecord) -> int | None:
    """`therapist_of(record)`'s id, without loading the user (the EMDR record's page
    asks it on every view: two ORM reads were 7% of its work, issue 14)."""
    if record.appointment_id is not None:
        return record.appointment.clinician_id  # type: ignore[union-attr]
    if record.session_id is not None:
        found = _clinician_of_session(session=record.session_id)
        if found:
            return found[0]
    return record.client.assigned_therapist_id


# The clinician of the first appointment that books the session (as `therapist_of`),
# compiled once (common.prepared).
@Prepared
def _clinician_of_session(*, session: int) -> QuerySet[Any, int | None]:
    from scheduling.models import Appointment

    booked = first_query(Appointment.objects.filter(session_id=session))
    return booked.values_list("clinician_id", flat=True)


def may_control(user: Any, record: EmdrRecord) -> bool:
    """Whether `user` (signed in, active, a therapist) is the record's therapist."""
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    if not user.has_role(Role.THERAPIST):
        return False
    therapist_id = therapist_id_of(record)
    return therapist_id is not None and therapist_id == user.pk


def controls(user: Any, pairing: DisplayPairing) -> bool:
    """Whether `user` may send commands to this display now: the pairing is live and
    theirs, and they are still the record's therapist."""
    return (
        pairing.paired_at is not None
        and pairing.ended_at is None
        and pairing.record is not None
        and pairing.therapist_id is not None
        and isinstance(user, User)
        and pairing.therapist_id == user.pk
        and may_control(user, pairing.record)
    )


def refuse(*, actor: Actor, record: EmdrRecord | None, action: str, why: str) -> None:
    """The audit entry of a refusal (who, what, why; never the code)."""
    log_action(
        actor,
        action,
        record,
        client=record.client if record is not None else None,
        detail={"reason": why},
    )


# --- The display's side ----------------------------------------------------------


def pairing_create(*, channel: str, reduced_motion: bool = False) -> tuple[DisplayPairing, str]:
    """A new pairing for the display on `channel`, and its code (shown once, kept only
    as a hash). No audit entry: a display holds no PHI and nobody is signed in."""
    now = timezone.now()
    # Codes nobody typed are kept a day (what a display did is not PHI), then deleted.
    DisplayPairing.objects.filter(
        paired_at__isnull=True, expires_at__lt=now - dt.timedelta(days=1)
    ).delete()
    live = DisplayPairing.objects.filter(
        paired_at__isnull=True, ended_at__isnull=True, expires_at__gt=now
    )
    for _ in range(20):
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        # Two live displays never show the same code.
        if not live.filter(code_hash=code_hash(code)).exists():
            break
    pairing = DisplayPairing.objects.create(
        code_hash=code_hash(code),
        created_at=now,
        expires_at=now + dt.timedelta(seconds=settings.BLS_PAIRING_SECONDS),
        display_channel=channel,
        reduced_motion=reduced_motion,
    )
    return pairing, code


def pairing_resume(
    *, token: str, channel: str, reduced_motion: bool = False
) -> DisplayPairing | None:
    """The live paired pairing whose resume token this is, now on `channel`; or None.
    A pairing older than a signed-in session can be (SESSION_ABSOLUTE_HOURS) is not
    resumed: yesterday's display gets a new code."""
    if not token or len(token) > 200:
        return None
    since = timezone.now() - dt.timedelta(hours=settings.SESSION_ABSOLUTE_HOURS)
    with transaction.atomic():
        pairing = (
            DisplayPairing.objects.select_for_update()
            .filter(resume_hash=resume_hash(token), paired_at__gt=since, ended_at__isnull=True)
            .first()
        )
        if pairing is None:
            return None
        pairing.display_channel = channel
        pairing.reduced_motion = reduced_motion
        pairing.save(update_fields=["display_channel", "reduced_motion"])
    return pairing


def display_gone(*, pairing_id: int, channel: str) -> tuple[DisplayPairing | None, bool]:
    """The display's socket closed. An unpaired pairing ends (nobody can type a code
    the display no longer shows); a paired one waits for the display to resume, and a
    set it was running is logged as interrupted. Returns the pairing (None if it is
    not this socket's any more) and whether a set was logged."""
    with transaction.atomic():
        pairing = DisplayPairing.objects.select_for_update().filter(pk=pairing_id).first()
        if pairing is None or pairing.display_channel != channel:
            return None, False  # another socket (a resumed display) holds it now
        pairing.display_channel = ""
        fields = ["display_channel"]
        if pairing.paired_at is None and pairing.ended_at is None:
            pairing.ended_at = timezone.now()
            fields.append("ended_at")
        pairing.save(update_fields=fields)
    logged = None
    if pairing.set_started_at is not None:
        logged = set_finish(
            pairing_id=pairing.pk, passes=pairing.set_passes_done, ms=None, interrupted=True
        )
    return pairing, logged is not None


# --- The therapist's side ----------------------------------------------------------


@dataclass(frozen=True)
class Paired:
    pairing: DisplayPairing
    resume_token: str  # for the display only: sent to it once, stored as a hash
    # The therapist's earlier pairings of the record, ended by this one.
    ended: tuple[Ended, ...] = ()


def pairing_pair(*, actor: Actor, record: EmdrRecord, code: str) -> Paired:
    """Pair the display showing `code` with `record`, for the signed-in therapist.
    PairingError (beside the code field) for an expired, used or unknown code.
    The caller has checked `may_control`; it is checked again here."""
    user = actor.staff
    if not may_control(user, record):
        refuse(actor=actor, record=record, action="emdr.display_pair_refused", why="role")
        raise PermissionError("Only the record's therapist may pair a display.")
    code = code.strip()
    if not (len(code) == CODE_DIGITS and code.isascii() and code.isdigit()):
        raise PairingError(f"Enter the {CODE_DIGITS} digits the display shows.")
    now = timezone.now()
    with transaction.atomic():
        found = (
            DisplayPairing.objects.select_for_update()
            .filter(code_hash=code_hash(code))
            .order_by("-created_at", "-id")
            .first()
        )
        if found is None or found.paired_at is not None or found.ended_at is not None:
            problem, message = "invalid", INVALID_MESSAGE
        elif found.expires_at <= now:
            problem, message = "expired", EXPIRED_MESSAGE
        else:
            return _pair(actor, found, record, user, now)
        refuse(actor=actor, record=record, action="emdr.display_pair_refused", why=problem)
    # Raised after the block has committed: the refusal's audit entry stays.
    raise PairingError(message)


def _pair(
    actor: Actor, found: DisplayPairing, record: EmdrRecord, user: User, now: dt.datetime
) -> Paired:
    token = secrets.token_urlsafe(32)
    found.paired_at = now
    found.record = record
    found.therapist = user
    found.resume_hash = resume_hash(token)
    found.save(update_fields=["paired_at", "record", "therapist", "resume_hash"])
    # One display per therapist and record: an earlier pairing ends (its display is told).
    earlier = list(
        DisplayPairing.objects.select_for_update()
        .filter(record=record, therapist=user, ended_at__isnull=True)
        .exclude(pk=found.pk)
    )
    ended = tuple(Ended(old, old.display_channel) for old in earlier)
    DisplayPairing.objects.filter(pk__in=[old.pk for old in earlier]).update(
        ended_at=now, display_channel=""
    )
    log_action(
        actor, "emdr.display_pair", record, client=record.client, detail={"pairing": found.pk}
    )
    return Paired(found, token, ended)


@dataclass(frozen=True)
class Ended:
    pairing: DisplayPairing
    display_channel: str  # where the display was, to be told to show a new code


def pairing_end(*, actor: Actor, pairing: DisplayPairing) -> Ended:
    """End a pairing (the display goes back to its code screen). A set still running
    is logged first, as interrupted, with the passes it reported."""
    record = pairing.record
    if record is None or not controls(actor.user, pairing):
        refuse(actor=actor, record=record, action="emdr.display_control_refused", why="end")
        raise PermissionError("Only the pairing's therapist may end it.")
    if pairing.set_started_at is not None:
        set_finish(
            pairing_id=pairing.pk, passes=pairing.set_passes_done, ms=None, interrupted=True
        )
    with transaction.atomic():
        locked = DisplayPairing.objects.select_for_update().get(pk=pairing.pk)
        if locked.ended_at is None:
            locked.ended_at = timezone.now()
        # The display is told by the caller (the channel it had is returned); the row no
        # longer names a connected display.
        channel, locked.display_channel = locked.display_channel, ""
        locked.save(update_fields=["ended_at", "display_channel"])
        log_action(
            actor, "emdr.display_end", record, client=record.client, detail={"pairing": pairing.pk}
        )
    return Ended(locked, channel)


def set_begin(*, pairing_id: int, settings_: dict[str, Any]) -> DisplayPairing | None:
    """Record that a set started now with these settings; None if one is running."""
    with transaction.atomic():
        pairing = DisplayPairing.objects.select_for_update().get(pk=pairing_id)
        if pairing.set_started_at is not None:
            return None
        pairing.set_started_at = timezone.now()
        pairing.set_settings = settings_
        pairing.set_passes_done = 0
        pairing.save(update_fields=["set_started_at", "set_settings", "set_passes_done"])
    return pairing


def set_change(*, pairing_id: int, changes: dict[str, Any]) -> None:
    """A live change of speed, direction or mode: the set logs the values it ended with."""
    with transaction.atomic():
        pairing = DisplayPairing.objects.select_for_update().get(pk=pairing_id)
        if pairing.set_started_at is not None:
            pairing.set_settings = {**pairing.set_settings, **changes}
            pairing.save(update_fields=["set_settings"])


def set_progress(*, pairing_id: int, passes: int) -> int | None:
    """The display finished another pass; returns the count kept (None if no set runs)."""
    if not _count_ok(passes, MAX_PASSES):
        return None
    with transaction.atomic():
        pairing = DisplayPairing.objects.select_for_update().get(pk=pairing_id)
        if pairing.set_started_at is None:
            return None
        pairing.set_passes_done = max(pairing.set_passes_done, passes)
        pairing.save(update_fields=["set_passes_done"])
    return pairing.set_passes_done


def set_finish(
    *, pairing_id: int, passes: int | None, ms: int | None, interrupted: bool
) -> DesensitisationSet | None:
    """Log the set the display ran, once: the next number, at the set's start, the
    mode as its BLS type, its speed, the passes done, its measured duration (`ms`, or
    the time since it started when the display could not say), and minutes since the
    dose worked out as `bls.services.set_add` does. None if no set was running (a
    "finished" after the disconnect already logged it, or the other way round)."""
    with transaction.atomic():
        # Only the pairing's row: the record and the therapist are nullable joins, which
        # PostgreSQL will not lock (and the record is locked on its own below).
        pairing = (
            DisplayPairing.objects.select_for_update(of=("self",))
            .select_related("record", "therapist")
            .get(pk=pairing_id)
        )
        started, record, therapist = pairing.set_started_at, pairing.record, pairing.therapist
        if started is None or record is None or therapist is None:
            return None
        values = pairing.set_settings
        done = passes if _count_ok(passes, MAX_PASSES) else pairing.set_passes_done
        done = max(done or 0, pairing.set_passes_done)
        if not (isinstance(ms, int) and not isinstance(ms, bool) and 0 <= ms <= MAX_SET_MS):
            ms = int((timezone.now() - started).total_seconds() * 1000)
        # Locks the record too, as set_add does: a set typed in the form at the same
        # moment still gets another number.
        number, minutes = next_set_slot(record=record, at=started)
        made = DesensitisationSet.objects.create(
            record=record,
            number=number,
            at=started,
            bls_type=MODE_TO_BLS.get(str(values.get("mode")), BlsType.EYES),
            speed_hz=_speed(values.get("speed")),
            passes=done,
            seconds=round(min(ms, MAX_SET_MS) / 1000),
            minutes_since_dose=minutes,
            from_display=True,
            interrupted=interrupted,
            recorded_by=therapist,
        )
        pairing.set_started_at = None
        pairing.set_passes_done = 0
        pairing.save(update_fields=["set_started_at", "set_passes_done"])
        log_action(
            Actor.for_user(therapist),
            "emdr.set_run",
            record,
            client=record.client,
            detail={"set": made.pk, "number": made.number, "interrupted": interrupted},
        )
    return made


def _speed(value: object) -> Decimal:
    """The speed as the set log keeps it (one decimal place, 0.5–2.0 passes/s)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return Decimal("1.0")
    return min(max(Decimal(f"{value:.1f}"), Decimal("0.5")), Decimal("2.0"))


def _count_ok(value: object, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= high
