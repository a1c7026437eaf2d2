"""The client's e-mail when an appointment is booked, moved or cancelled.

What it says is the practice's name, the day and time, the address, and "call us to
change": never the client's name, the type of appointment or therapy, the clinician
or the room (any of which could say what the client is treated for). It is queued
through the outbox (notifications.services.email_queue) once the change has
committed, so a booking that rolls back never mails; a series is one e-mail listing
its dates. Only appointments still ahead are announced.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.actor import Actor
from audit.services import log_action
from common.timefmt import local_long
from notifications.services import email_queue
from scheduling.models import Appointment

TEMPLATE = "scheduling/email/appointment_notice"
KINDS = ("booked", "moved", "cancelled")


def notice_send(*, actor: Actor, appointments: list[Appointment], kind: str) -> None:
    """After the current transaction commits, e-mail the client about `appointments`
    (all the same client's). Nothing when the client has no e-mail address."""
    if kind not in KINDS:
        raise ValueError(f"unknown notice {kind!r}")  # a programming error
    ids = [appt.pk for appt in appointments]
    transaction.on_commit(lambda: _deliver(actor, ids, kind), robust=True)


def _deliver(actor: Actor, ids: list[int], kind: str) -> None:
    ahead = list(
        Appointment.objects.select_related("client")
        .filter(pk__in=ids, starts_at__gt=timezone.now())
        .order_by("starts_at", "pk")
    )
    if not ahead or not ahead[0].client.email:
        return
    client = ahead[0].client
    context = {
        "kind": kind,
        "practice": settings.PRACTICE_NAME,
        "address": settings.PRACTICE_ADDRESS,
        "phone": settings.PRACTICE_PHONE,
        "times": [local_long(appt.starts_at) for appt in ahead],
    }
    with transaction.atomic():
        email = email_queue(to=client.email, template=TEMPLATE, context=context)
        log_action(
            actor,
            "appointment.notice",
            ahead[0],
            client=client,
            detail={"kind": kind, "appointments": [a.pk for a in ahead], "email": email.pk},
        )
