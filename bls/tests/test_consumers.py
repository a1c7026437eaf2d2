"""The display's and the control's WebSockets (bls.consumers), through the project's
ASGI application (pathways.asgi: origin check, session, routing), with channels'
WebsocketCommunicator. The consumers run in another thread: the database is
transactional (`consumer_db`)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.models import Session
from django.test import Client as DjangoClient
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.models import Authenticator, Role, User
from accounts.signals import SIGNED_IN_AT
from audit.models import AuditEvent
from bls.consumers import FORBIDDEN
from bls.models import BlsType, DesensitisationSet, DisplayPairing, EmdrRecord
from bls.pairing import code_hash
from clients.models import Client
from pathways.testing import make_partner, make_prescriber, make_user

from .sockets import (
    control_socket,
    display_socket,
    receive,
    receive_type,
    run_async,
    session_cookie,
)
from .support import give, make_emdr_session

pytestmark = pytest.mark.usefixtures("consumer_db")


@dataclass
class Practice:
    therapist: User
    record: EmdrRecord
    client: Client
    users: dict[str, User]


def _practice() -> Practice:
    partner = make_partner("Blue Ridge Psychiatry")
    therapist = make_user("theo", Role.THERAPIST, first_name="Theodora", last_name="Vanterpool")
    prescriber = make_prescriber("rx", partner)
    emdr = make_emdr_session(therapist, prescriber, partner)
    users = {
        "other therapist": make_user("tess", Role.THERAPIST),
        "admin": make_user("ada", Role.ADMIN, is_staff=True, is_superuser=True),
        "intake": make_user("ian", Role.INTAKE),
        "prescriber": prescriber,
    }
    return Practice(therapist, emdr.record, emdr.client, users)


async def _paired(practice: Practice) -> tuple[WebsocketCommunicator, int, list[dict[str, Any]]]:
    """A display that said hello and was paired by the therapist through the view;
    returns the socket, the pairing's id and every frame it received."""
    display = display_socket()
    assert (await display.connect())[0]
    await display.send_json_to({"type": "hello"})
    code = await receive(display)
    assert code["type"] == "code"
    browser = DjangoClient()
    await sync_to_async(browser.force_login)(practice.therapist)
    url = reverse("bls:display_pair", args=[practice.record.pk])
    response = await sync_to_async(browser.post)(
        url, {"code": code["code"]}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    paired = await receive(display)
    assert paired["type"] == "paired"
    assert len(paired["resume"]) > 30
    found = await database_sync_to_async(DisplayPairing.objects.get)(
        code_hash=code_hash(code["code"])
    )
    return display, found.pk, [code, paired]


async def _control(practice: Practice, pairing_id: int) -> WebsocketCommunicator:
    cookie = await database_sync_to_async(session_cookie)(practice.therapist)
    control = control_socket(pairing_id, cookie)
    assert (await control.connect())[0]
    state = await receive(control)
    assert state == {"type": "display", "state": "connected", "reduced_motion": False}
    return control


START = {"type": "start", "mode": "both", "speed": 1.5, "passes": 24, "direction": "diagonal"}


def test_it_gives_a_display_a_code_and_keeps_only_its_hash() -> None:
    async def body() -> dict[str, Any]:
        display = display_socket()
        assert (await display.connect())[0]
        await display.send_json_to({"type": "hello"})
        reply = await receive(display)
        await display.disconnect(timeout=5)
        return reply

    reply = run_async(body())
    assert reply["type"] == "code"
    assert reply["expires_in"] == 120
    stored = DisplayPairing.objects.get()
    assert stored.code_hash == code_hash(reply["code"])
    # The display went away unpaired: its code can no longer be used.
    assert stored.ended_at is not None


def test_it_relays_a_set_and_logs_it_when_the_display_finishes() -> None:
    practice = _practice()
    dose_at = timezone.now() - dt.timedelta(minutes=42, seconds=10)
    give(practice.record.session, practice.therapist, dose_at)  # type: ignore[arg-type]

    async def body() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        display, pairing_id, seen = await _paired(practice)
        control = await _control(practice, pairing_id)
        seen.append(await receive(display))  # resume_control
        await control.send_json_to(START)
        assert await receive(control) == {"type": "running", "passes": 0}
        start = await receive(display)
        seen.append(start)
        heard = []
        for n in (1, 2, 3):
            await display.send_json_to({"type": "progress", "passes": n})
            heard.append(await receive(control))
        await control.send_json_to({"type": "settings", "speed": 1.2})
        seen.append(await receive(display))
        await control.send_json_to({"type": "stop"})
        seen.append(await receive(display))
        await display.send_json_to(
            {"type": "finished", "passes": 3, "ms": 2480, "reason": "stopped"}
        )
        heard.append(await receive(control))
        await control.disconnect(timeout=5)
        await display.disconnect(timeout=5)
        return seen, heard

    seen, heard = run_async(body())
    assert seen[2] == {"type": "resume_control"}
    assert seen[3] == {
        "type": "start",
        "mode": "both",
        "speed": 1.5,
        "passes": 24,
        "seconds": None,
        "direction": "diagonal",
        "colour": "#1f6feb",
        "size": 48,
        "background": "#000000",
    }
    assert seen[4] == {"type": "settings", "speed": 1.2}
    assert seen[5] == {"type": "stop"}
    assert heard[:3] == [{"type": "progress", "passes": n} for n in (1, 2, 3)]
    entry = DesensitisationSet.objects.get(record=practice.record)
    assert heard[3] == {
        "type": "logged",
        "number": 1,
        "interrupted": False,
        "report_url": reverse("bls:set_report", args=[practice.record.pk, 1]),
    }
    assert (entry.bls_type, entry.speed_hz, entry.passes, entry.seconds) == (
        BlsType.BOTH,
        Decimal("1.2"),
        3,
        2,
    )
    # The set started about 42 minutes after the dose.
    assert entry.minutes_since_dose == 42
    assert (entry.from_display, entry.interrupted) == (True, False)
    assert AuditEvent.objects.filter(action="emdr.set_run").count() == 1
    # Nothing the display was sent names the client, the therapist or the record.
    frames = repr(seen)
    for phi in (
        practice.client.first_name,
        practice.client.last_name,
        practice.therapist.first_name,
        practice.therapist.last_name,
        f"/{practice.record.pk}/",
    ):
        assert phi not in frames


def test_it_logs_the_set_interrupted_when_the_display_drops_and_resumes_it() -> None:
    practice = _practice()

    async def body() -> list[dict[str, Any]]:
        display, pairing_id, seen = await _paired(practice)
        token = seen[1]["resume"]
        control = await _control(practice, pairing_id)
        await control.send_json_to(START)
        await receive_type(control, "running")
        await display.send_json_to({"type": "progress", "passes": 5})
        await receive_type(control, "progress")
        await display.disconnect(timeout=5)
        heard = [await receive(control), await receive(control)]
        again = display_socket()
        assert (await again.connect())[0]
        await again.send_json_to({"type": "resume", "token": token})
        assert await receive(again) == {"type": "resumed"}
        heard.append(await receive(control))
        await control.disconnect(timeout=5)
        await again.disconnect(timeout=5)
        return heard

    heard = run_async(body())
    assert heard[0] == {"type": "display", "state": "lost"}
    assert heard[1]["type"] == "logged"
    assert heard[1]["interrupted"] is True
    assert heard[2] == {"type": "display", "state": "connected", "reduced_motion": False}
    entry = DesensitisationSet.objects.get(record=practice.record)
    assert (entry.passes, entry.interrupted, entry.from_display) == (5, True, True)


def test_it_tells_the_display_to_pause_when_the_control_drops() -> None:
    practice = _practice()

    async def body() -> dict[str, Any]:
        display, pairing_id, _ = await _paired(practice)
        control = await _control(practice, pairing_id)
        await control.send_json_to(START)
        await receive_type(display, "start")
        await control.disconnect(timeout=5)
        told = await receive_type(display, "pause")
        await display.send_json_to(
            {"type": "finished", "passes": 9, "ms": 9100, "reason": "paused"}
        )
        # The set is logged once the display reports it; a second report changes nothing.
        await display.send_json_to({"type": "finished", "passes": 9, "ms": 9100, "reason": "done"})
        await display.disconnect(timeout=5)
        return told

    assert run_async(body()) == {"type": "pause"}
    entry = DesensitisationSet.objects.get(record=practice.record)
    assert (entry.passes, entry.seconds, entry.interrupted) == (9, 9, True)


def test_it_closes_a_control_socket_of_anyone_but_the_pairings_therapist() -> None:
    practice = _practice()

    async def body() -> dict[str, int | None]:
        display, pairing_id, _ = await _paired(practice)
        codes: dict[str, int | None] = {}
        for name, user in [*practice.users.items(), ("anonymous", None)]:
            cookie = await database_sync_to_async(session_cookie)(user) if user else None
            socket = control_socket(pairing_id, cookie)
            await socket.connect()
            closed = await socket.receive_output(timeout=5)
            codes[name] = closed.get("code") if closed["type"] == "websocket.close" else None
        # The pairing's own therapist, once it has ended.
        await database_sync_to_async(DisplayPairing.objects.filter(pk=pairing_id).update)(
            ended_at=timezone.now()
        )
        cookie = await database_sync_to_async(session_cookie)(practice.therapist)
        socket = control_socket(pairing_id, cookie)
        await socket.connect()
        codes["therapist after the end"] = (await socket.receive_output(timeout=5)).get("code")
        await display.disconnect(timeout=5)
        return codes

    codes = run_async(body())
    assert set(codes.values()) == {FORBIDDEN}, codes
    refusals = AuditEvent.objects.filter(action="emdr.display_control_refused")
    assert refusals.count() == len(codes)
    assert set(refusals.values_list("actor_username", flat=True)) == {
        "",
        "tess",
        "ada",
        "ian",
        "rx",
        "theo",
    }


def test_it_asks_the_sockets_session_for_the_second_factor_and_its_age() -> None:
    practice = _practice()

    async def closes(pairing_id: int, **session: Any) -> bool:
        cookie = await database_sync_to_async(session_cookie)(practice.therapist, **session)
        socket = control_socket(pairing_id, cookie)
        await socket.connect()
        first = await socket.receive_output(timeout=5)
        await socket.disconnect(timeout=5)
        return bool(first["type"] == "websocket.close")

    async def body() -> list[bool]:
        display, found, _ = await _paired(practice)
        # The therapist sets up an authenticator: from now on their sessions owe its code.
        device = await database_sync_to_async(Authenticator.objects.create)(
            user=practice.therapist, name="phone", confirmed=True
        )
        verdicts = [
            await closes(found),  # signed in with the password only: the code is owed
            await closes(found, **{DEVICE_ID_SESSION_KEY: device.persistent_id}),
            await closes(
                found,
                **{
                    DEVICE_ID_SESSION_KEY: device.persistent_id,
                    SIGNED_IN_AT: time.time() - 13 * 3600,
                },
            ),
            await closes(
                found, **{DEVICE_ID_SESSION_KEY: device.persistent_id, SIGNED_IN_AT: None}
            ),
        ]
        await display.disconnect(timeout=5)
        return verdicts

    assert run_async(body()) == [True, False, True, True]


def test_it_checks_every_command_against_the_database_as_it_is_now() -> None:
    practice = _practice()
    other = practice.users["other therapist"]

    async def body() -> dict[str, Any]:
        display, pairing_id, _ = await _paired(practice)
        control = await _control(practice, pairing_id)
        # The client moves to another therapist while the socket is open.
        await database_sync_to_async(Client.objects.filter(pk=practice.client.pk).update)(
            assigned_therapist=other
        )
        await control.send_json_to(START)
        closed: dict[str, Any] = await control.receive_output(timeout=5)
        await display.disconnect(timeout=5)
        return closed

    assert run_async(body()) == {"type": "websocket.close", "code": FORBIDDEN}
    assert AuditEvent.objects.filter(
        action="emdr.display_control_refused", detail={"reason": "start"}
    ).exists()
    assert not DisplayPairing.objects.filter(set_started_at__isnull=False).exists()


def test_it_closes_a_control_socket_whose_session_passed_its_idle_limit() -> None:
    practice = _practice()

    async def body() -> dict[str, Any]:
        display, pairing_id, _ = await _paired(practice)
        control = await _control(practice, pairing_id)
        # The therapist walked away: the session's row is still there, but expired.
        await database_sync_to_async(Session.objects.update)(
            expire_date=timezone.now() - dt.timedelta(seconds=1)
        )
        await control.send_json_to(START)
        closed: dict[str, Any] = await control.receive_output(timeout=5)
        await display.disconnect(timeout=5)
        return closed

    assert run_async(body()) == {"type": "websocket.close", "code": FORBIDDEN}
    assert not DisplayPairing.objects.filter(set_started_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ({**START, "speed": 2.5}, "Speed is from 0.5 to 2.0 passes a second."),
        ({**START, "speed": "fast"}, "Speed is from 0.5 to 2.0 passes a second."),
        ({**START, "passes": 201}, "A set is from 1 to 200 passes."),
        ({**START, "passes": None, "seconds": 601}, "A set is from 1 to 600 seconds."),
        ({**START, "seconds": 30}, "A set runs for a number of passes or of seconds: give one."),
        ({**START, "colour": "red"}, "The dot's colour is #rrggbb."),
        ({**START, "size": 8}, "The dot is from 16 to 160 px."),
        ({**START, "mode": "tactile"}, "Mode is eyes, auditory or both."),
        ({"type": "launch"}, "Unknown command."),
    ],
)
def test_it_answers_a_command_out_of_range_with_an_error(
    command: dict[str, Any], message: str
) -> None:
    practice = _practice()

    async def body() -> dict[str, Any]:
        display, pairing_id, _ = await _paired(practice)
        control = await _control(practice, pairing_id)
        await control.send_json_to(command)
        reply = await receive(control)
        await control.send_to(text_data="not json")
        assert (await receive(control))["type"] == "error"
        await control.disconnect(timeout=5)
        await display.disconnect(timeout=5)
        return reply

    assert run_async(body()) == {"type": "error", "message": message}
    assert not DisplayPairing.objects.filter(set_started_at__isnull=False).exists()
