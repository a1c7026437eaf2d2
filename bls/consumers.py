"""The WebSockets of the BLS display and of its control from the record
(bls-protocol.md, "WebSockets"). JSON text frames, each with a `type`.

- `DisplayConsumer` (/ws/bls/display/, anonymous): asks for a code, is paired, runs
  the sets it is told to and reports them; it never receives PHI.
- `ControlConsumer` (/ws/bls/control/<pairing>/): the signed-in therapist of the
  pairing's record. Checked at connect and again at every command against the database
  as it is then; anyone else is closed with 4403, and the refusal audited.

The server talks to a display through its channel name (kept on the pairing) and to
the therapist's sockets through the group `bls-control-<pairing id>`. Synchronous
consumers: each handler runs in Django's thread with a fresh database connection.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import async_to_sync
from channels.exceptions import ChannelFull
from channels.generic.websocket import JsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device
from django_otp.models import Device

from accounts.actor import Actor
from accounts.models import User
from accounts.signals import SIGNED_IN_AT
from bls import commands, pairing
from bls.models import DesensitisationSet, DisplayPairing

logger = logging.getLogger(__name__)
FORBIDDEN = 4403
# A display asks for a new code when its code expires; faster than this is a loop.
HELLO_MIN_SECONDS = 1.0


def control_group(pairing_id: int) -> str:
    return f"bls-control-{pairing_id}"


def layer_send(message: dict[str, Any], *, channel: str = "", group: str = "") -> None:
    """Send on the channel layer from synchronous code (a view, a consumer), to a
    display's channel or to a group of control sockets."""
    layer = get_channel_layer()
    if layer is None or not (channel or group):
        return
    send = async_to_sync(layer.send) if channel else async_to_sync(layer.group_send)
    target = channel or group
    try:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            send(target, message)
            return
        # async_to_sync refuses a thread whose event loop is running: only the test
        # suite's main thread, once Playwright's sync API has started one. The message
        # goes from a short-lived thread instead.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(send, target, message).result(timeout=10)
    except ChannelFull:
        # A socket that stopped reading (gone without its disconnect yet): the message
        # is dropped, as it would be by the socket; the sender carries on.
        logger.warning("BLS channel full: a message of type %s dropped", message.get("type"))


def relay(message: dict[str, Any]) -> dict[str, Any]:
    """The layer's envelope of a frame for a socket (handled by `bls_relay`)."""
    return {"type": "bls.relay", "message": message}


def _ip(scope: dict[str, Any]) -> str | None:
    client = scope.get("client")
    return str(client[0]) if client else None


def _logged_message(entry: DesensitisationSet) -> dict[str, Any]:
    return {
        "type": "logged",
        "number": entry.number,
        "interrupted": entry.interrupted,
        "report_url": reverse("bls:set_report", args=[entry.record_id, entry.number]),
    }


def _display_state(found: DisplayPairing) -> dict[str, Any]:
    """What the control is told of the display: connected or lost, and whether its
    device asks for reduced motion."""
    state = "connected" if found.display_channel else "lost"
    return {"type": "display", "state": state, "reduced_motion": found.reduced_motion}


class _Json(JsonWebsocketConsumer):  # type: ignore[misc]
    """A frame that is not a JSON object is answered with an error, never a crash."""

    def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            content = self.decode_json(text_data) if text_data else None
        except ValueError:
            content = None
        if not isinstance(content, dict):
            self.send_json({"type": "error", "message": "Send a JSON object with a type."})
            return
        self.receive_json(content)

    def to_controls(self, pairing_id: int, message: dict[str, Any]) -> None:
        layer_send(relay(message), group=control_group(pairing_id))

    def to_display(self, channel: str, message: dict[str, Any]) -> None:
        layer_send(relay(message), channel=channel)

    def bls_relay(self, event: dict[str, Any]) -> None:
        self.send_json(event["message"])


class DisplayConsumer(_Json):
    pairing_id: int | None = None
    last_hello: float = 0.0
    reduced_motion: bool = False

    def connect(self) -> None:
        self.accept()

    def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        kind = content.get("type")
        # The display's device asks for reduced motion (prefers-reduced-motion).
        self.reduced_motion = content.get("reduced_motion") is True
        if kind == "hello":
            self._hello()
        elif kind == "resume":
            self._resume(content.get("token"))
        elif kind == "progress":
            self._progress(content.get("passes"))
        elif kind == "finished":
            self._finished(content)
        else:
            self.send_json({"type": "error", "message": "Unknown message type."})

    def _hello(self) -> None:
        now = time.monotonic()
        if now - self.last_hello < HELLO_MIN_SECONDS:
            self.send_json({"type": "error", "message": "Wait a moment before asking again."})
            return
        self.last_hello = now
        self._leave()
        made, code = pairing.pairing_create(
            channel=self.channel_name, reduced_motion=self.reduced_motion
        )
        self.pairing_id = made.pk
        seconds = round((made.expires_at - made.created_at).total_seconds())
        self.send_json({"type": "code", "code": code, "expires_in": seconds})

    def _resume(self, token: object) -> None:
        found = pairing.pairing_resume(
            token=token if isinstance(token, str) else "",
            channel=self.channel_name,
            reduced_motion=self.reduced_motion,
        )
        if found is None:
            self.last_hello = 0.0
            self._hello()
            return
        self._leave()
        self.pairing_id = found.pk
        self.send_json({"type": "resumed"})
        self.to_controls(found.pk, _display_state(found))

    def _progress(self, passes: object) -> None:
        if self.pairing_id is None or not isinstance(passes, int):
            return
        kept = pairing.set_progress(pairing_id=self.pairing_id, passes=passes)
        if kept is not None:
            self.to_controls(self.pairing_id, {"type": "progress", "passes": kept})

    def _finished(self, content: dict[str, Any]) -> None:
        if self.pairing_id is None:
            return
        passes, ms = content.get("passes"), content.get("ms")
        entry = pairing.set_finish(
            pairing_id=self.pairing_id,
            passes=passes if isinstance(passes, int) else None,
            ms=ms if isinstance(ms, int) else None,
            interrupted=content.get("reason") == "paused",
        )
        if entry is not None:
            self.to_controls(self.pairing_id, _logged_message(entry))

    def _leave(self) -> None:
        """This socket leaves its pairing (a new hello, a resume, a disconnect)."""
        if self.pairing_id is None:
            return
        left, logged = pairing.display_gone(pairing_id=self.pairing_id, channel=self.channel_name)
        if left is not None and left.paired_at is not None and left.ended_at is None:
            self.to_controls(left.pk, {"type": "display", "state": "lost"})
            if logged:
                last = DesensitisationSet.objects.filter(
                    record_id=left.record_id, from_display=True
                ).last()
                if last is not None:
                    self.to_controls(left.pk, _logged_message(last))
        self.pairing_id = None

    def disconnect(self, code: int) -> None:
        self._leave()

    # From the server: the therapist paired this display, or ended the pairing.
    def bls_paired(self, event: dict[str, Any]) -> None:
        # Only the pairing this socket shows the code of (never one it has left).
        if self.pairing_id == event["pairing"]:
            self.send_json({"type": "paired", "resume": event["resume"]})

    def bls_ended(self, event: dict[str, Any]) -> None:
        if self.pairing_id == event["pairing"]:
            self.pairing_id = None
            self.send_json({"type": "ended"})


class ControlConsumer(_Json):
    pairing_id: int = 0
    joined: bool = False

    def connect(self) -> None:
        self.pairing_id = int(self.scope["url_route"]["kwargs"]["pairing_id"])
        # Accepted first so that the close carries its code (4403) to the browser.
        self.accept()
        found = self._authorised("connect")
        if found is None:
            return
        async_to_sync(self.channel_layer.group_add)(
            control_group(self.pairing_id), self.channel_name
        )
        self.joined = True
        self.send_json(_display_state(found))
        self.to_display(found.display_channel, {"type": "resume_control"})

    def _authorised(self, what: str) -> DisplayPairing | None:
        """The pairing, if the socket's user may control it now; else None, the refusal
        audited and the socket closed with 4403."""
        user = _user_now(self.scope)
        found = (
            DisplayPairing.objects.select_related("record", "therapist")
            .filter(pk=self.pairing_id)
            .first()
        )
        if user is not None and found is not None and pairing.controls(user, found):
            return found
        actor = (
            Actor.for_user(user, _ip(self.scope))
            if user is not None
            else Actor.anonymous(_ip(self.scope))
        )
        pairing.refuse(
            actor=actor,
            record=found.record if found is not None else None,
            action="emdr.display_control_refused",
            why=what,
        )
        self.close(code=FORBIDDEN)
        return None

    def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        kind = content.get("type")
        if kind not in ("start", "settings", "stop"):
            self.send_json({"type": "error", "message": "Unknown command."})
            return
        found = self._authorised(str(kind))
        if found is None:
            return
        if not found.display_channel:
            self.send_json({"type": "error", "message": "The display is not connected."})
            return
        if kind == "stop":
            self.to_display(found.display_channel, {"type": "stop"})
            return
        try:
            checked = commands.values(content, start=kind == "start")
        except commands.CommandError as exc:
            self.send_json({"type": "error", "message": str(exc)})
            return
        if kind == "start":
            if pairing.set_begin(pairing_id=found.pk, settings_=checked) is None:
                self.send_json({"type": "error", "message": "A set is running: stop it first."})
                return
            self.to_display(found.display_channel, {"type": "start", **checked})
            self.send_json({"type": "running", "passes": 0})
        else:
            pairing.set_change(pairing_id=found.pk, changes=checked)
            self.to_display(found.display_channel, {"type": "settings", **checked})

    def disconnect(self, code: int) -> None:
        if not self.joined:
            return
        async_to_sync(self.channel_layer.group_discard)(
            control_group(self.pairing_id), self.channel_name
        )
        found = DisplayPairing.objects.filter(pk=self.pairing_id).first()
        # The therapist's connection dropped: a running set stops at the end of its pass.
        if found is not None and found.set_started_at is not None:
            self.to_display(found.display_channel, {"type": "pause"})


def _user_now(scope: dict[str, Any]) -> User | None:
    """The socket's user as the database has them now, if their session still stands:
    active, the session not signed out (its auth hash still matches), within its
    absolute lifetime, and with the second factor given when they have one."""
    user, session = scope.get("user"), scope.get("session")
    if session is None or not getattr(user, "is_authenticated", False):
        return None
    fresh = User.objects.filter(pk=user.pk, is_active=True).first()  # type: ignore[union-attr]
    if fresh is None or session.session_key is None:
        return None
    # Unexpired, not merely present: the store's exists() ignores the idle limit, and a
    # row outlives it until `clearsessions` runs.
    if not Session.objects.filter(
        session_key=session.session_key, expire_date__gt=timezone.now()
    ).exists():
        return None
    if not constant_time_compare(
        str(session.get(HASH_SESSION_KEY, "")), fresh.get_session_auth_hash()
    ):
        return None
    signed_in_at = session.get(SIGNED_IN_AT)
    if not isinstance(signed_in_at, int | float) or (
        time.time() - signed_in_at > settings.SESSION_ABSOLUTE_HOURS * 3600
    ):
        return None
    if user_has_device(fresh):
        device = Device.from_persistent_id(str(session.get(DEVICE_ID_SESSION_KEY, "")))
        if device is None or getattr(device, "user_id", None) != fresh.pk:
            return None
    elif settings.REQUIRE_2FA:
        return None
    return fresh
