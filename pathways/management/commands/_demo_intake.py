"""What is waiting at the front desk: new requests and messages, a person who wrote
twice (a possible duplicate: the same e-mail and phone, ten days apart, for two
services) and sent the second form twice (stored once, shown as "sent again"), and
consents sent and not yet signed.

Through the services the public forms and the client page use (intake.services,
consents.services), then dated when the demo says they happened.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from accounts.actor import Actor
from accounts.models import Role, User
from clients.models import Client
from consents.models import ConsentKind, ConsentRequest
from consents.services import consent_request_send
from intake.models import AppointmentRequest, ContactMessage
from intake.services import MessageDetails, RequestDetails, message_submit, request_submit
from pathways.management.commands._demo_common import backdate
from website.models import Service

# A visitor's address (RFC 5737 documentation range).
VISITOR_IP = "203.0.113.24"


def alexis(service: Service | None) -> RequestDetails:
    """Alexis sent the form, went back, and sent it again four minutes later."""
    return RequestDetails(
        first_name="Alexis",
        last_name="Romero",
        email="alexis.romero@example.com",
        phone="(555) 010-0141",
        preferred_contact="text",
        reason="Anxiety and low mood since losing my job; a friend told me about KAP.",
        consent_to_contact=True,
        not_emergency_ack=True,
        preferred_times=("evening",),
        service=service,
        heard_about="friend",
    )


MESSAGE = MessageDetails(
    name="Robin Hale",
    email="robin.hale@example.com",
    message="Do you offer EMDR sessions in the evening, after 6 pm?",
    phone="(555) 010-0142",
)


def _request(details: RequestDetails, when: dt.datetime) -> AppointmentRequest:
    appt, _ = request_submit(
        actor=Actor.anonymous(VISITOR_IP), details=details, token=uuid.uuid4(), ip_hash=""
    )
    backdate(AppointmentRequest, appt.pk, created_at=when, updated_at=when)
    return appt


def _consent(users: dict[str, User], who: tuple[str, str], kind: str, hours_ago: int) -> None:
    client = Client.objects.get(first_name=who[0], last_name=who[1])
    request, _ = consent_request_send(
        actor=Actor.for_user(users[Role.THERAPIST]), client=client, kind=kind
    )
    sent = timezone.now() - dt.timedelta(hours=hours_ago)
    lasts = request.expires_at - request.created_at
    backdate(ConsentRequest, request.pk, created_at=sent, expires_at=sent + lasts)


def seed_intake(users: dict[str, User]) -> None:
    now = timezone.now()
    kap = Service.objects.filter(slug="kap").first()
    therapy = Service.objects.filter(slug="individual-therapy").first()
    # Ten days ago Alexis asked about therapy; the inbox flags the new request as a
    # possible duplicate of that one (intake.queries), for the front desk to merge.
    _request(alexis(therapy), now - dt.timedelta(days=10))
    details = alexis(kap)
    first = now - dt.timedelta(hours=20)
    appt = _request(details, first)
    # Back, and send again four minutes later: stored once, marked "sent again".
    request_submit(
        actor=Actor.anonymous(VISITOR_IP), details=details, token=uuid.uuid4(), ip_hash=""
    )
    backdate(AppointmentRequest, appt.pk, sent_again_at=first + dt.timedelta(minutes=4))
    message, _ = message_submit(
        actor=Actor.anonymous(VISITOR_IP), details=MESSAGE, token=uuid.uuid4(), ip_hash=""
    )
    backdate(ContactMessage, message.pk, created_at=now - dt.timedelta(hours=3))
    # Consents sent to the clients, not signed yet: the KAP consent to Quinn Harlow
    # (her evaluation is in three days), the telehealth consent to Sasha Ortiz.
    _consent(users, ("Quinn", "Harlow"), ConsentKind.KAP, 26)
    _consent(users, ("Sasha", "Ortiz"), ConsentKind.TELEHEALTH, 5)
