"""Small factories for tests: users of every role, and the records most tests need
(clients, partners, consents, referrals, prescriptions, courses, sessions). An app's
own builders live in its tests/factories.py."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import Role, User
from clients.models import Client
from consents.models import ConsentDocument, ConsentKind, SignedConsent
from intake.models import AppointmentRequest, ContactMessage
from partners.models import Partner, Referral, ReferralStatus
from partners.services import membership_set
from prescriptions.models import Prescription, Route, RxModality
from treatment.models import Modality, SessionKind, TreatmentCourse, TreatmentSession
from website.models import Service

PASSWORD = "correct horse battery staple"  # noqa: S105


def make_user(username: str, role: str, **extra: Any) -> User:
    user = User(username=username, role=role, email=f"{username}@pathways.example", **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_prescriber(
    username: str, partner: Partner, role: str = Role.PRESCRIBER, **extra: Any
) -> User:
    """A user who works for `partner` (partners.PartnerMembership): a prescriber,
    unless `role` says otherwise."""
    user = make_user(username, role, **extra)
    membership_set(user=user, partner=partner)
    return user


def make_service(slug: str = "kap", **extra: Any) -> Service:
    defaults: dict[str, Any] = {
        "title": slug.upper(),
        "summary": f"{slug} summary",
        "what_it_is": "What it is.",
        "who_it_may_help": "Who it may help.",
        "how_it_works": "How it works.",
        "session_experience": "What a session is like.",
    }
    defaults.update(extra)
    return Service.objects.create(slug=slug, **defaults)


def make_request(**extra: Any) -> AppointmentRequest:
    data: dict[str, Any] = {
        "first_name": "Alice",
        "last_name": "Example",
        "email": "alice@example.com",
        "phone": "(555) 010-0123",
        "preferred_contact": "phone",
        "preferred_times": ["morning"],
        "reason": "Memories from an accident.",
        "consent_to_contact": True,
        "not_emergency_ack": True,
        "submission_token": uuid.uuid4(),
    }
    data.update(extra)
    return AppointmentRequest.objects.create(**data)


def make_client(**extra: Any) -> Client:
    data: dict[str, Any] = {"first_name": "Bob", "last_name": "Client", "email": "bob@example.com"}
    data.update(extra)
    return Client.objects.create(**data)


def make_message(**extra: Any) -> ContactMessage:
    data: dict[str, Any] = {"name": "Pat", "email": "pat@example.com", "message": "Fees?"}
    data.update(extra)
    return ContactMessage.objects.create(**data)


def make_partner(name: str = "Blue Ridge Psychiatry", **extra: Any) -> Partner:
    return Partner.objects.create(name=name, email="office@partner.example", **extra)


def make_document(kind: str = ConsentKind.KAP, **extra: Any) -> ConsentDocument:
    data: dict[str, Any] = {"title": f"{kind} consent", "body": f"The {kind} consent text."}
    data.update(extra)
    return ConsentDocument.objects.create(kind=kind, **data)


def make_signed_consent(
    client: Client, kind: str = ConsentKind.KAP, partner: Partner | None = None, **extra: Any
) -> SignedConsent:
    document = ConsentDocument.latest(kind) or make_document(kind)
    data: dict[str, Any] = {
        "typed_name": client.full_name,
        "agreed": True,
        "signed_at": timezone.now(),
        "ip": "127.0.0.1",
        "document_sha256": document.sha256,
        "title_signed": document.title,
        "body_signed": document.body,
    }
    data.update(extra)
    return SignedConsent.objects.create(client=client, document=document, partner=partner, **data)


def make_referral(client: Client, partner: Partner, referred_by: User, **extra: Any) -> Referral:
    release = extra.pop("release", None) or make_signed_consent(client, ConsentKind.ROI, partner)
    data: dict[str, Any] = {
        "reason": "Treatment-resistant depression; exploring KAP.",
        "diagnoses": [{"code": "F33.1", "description": "Major depressive disorder, recurrent"}],
        "medications": ["Sertraline 100 mg daily"],
        "prescreen": {"hypertension": "no"},
        "status": ReferralStatus.SENT,
    }
    data.update(extra)
    return Referral.objects.create(
        client=client, partner=partner, referred_by=referred_by, release=release, **data
    )


def make_prescription(referral: Referral, prescriber: User, **extra: Any) -> Prescription:
    today = timezone.localdate()
    data: dict[str, Any] = {
        "route": Route.SUBLINGUAL,
        "dose_mg": Decimal("100"),
        "sessions_authorised": 6,
        "valid_from": today - dt.timedelta(days=1),
        "valid_to": today + dt.timedelta(days=90),
        # Both modalities, so that a test of either course doses; the modality rule
        # has tests of its own.
        "modality": RxModality.BOTH,
        "fasting_solids_hours": Decimal("4"),
        "fasting_liquids_hours": Decimal("2"),
        "holds": [{"medication": "Benzodiazepines", "hours": 24}],
        "fasting_instructions": "No food for 4 hours before.",
        "holds_instructions": "No benzodiazepines for 24 hours before.",
        "max_systolic": 140,
        "max_diastolic": 90,
        "hr_min": 50,
        "hr_max": 110,
        "spo2_min": 94,
    }
    data.update(extra)
    if data.get("booster_mg") is not None:
        data.setdefault("booster_after_minutes", 30)
    return Prescription.objects.create(
        client=referral.client, referral=referral, prescriber=prescriber, **data
    )


def make_course(client: Client, created_by: User, **extra: Any) -> TreatmentCourse:
    data: dict[str, Any] = {"modality": Modality.KAP, "goals": "Lift mood; reconnect."}
    data.update(extra)
    return TreatmentCourse.objects.create(client=client, created_by=created_by, **data)


def make_session(
    course: TreatmentCourse, kind: str = SessionKind.DOSING, **extra: Any
) -> TreatmentSession:
    return TreatmentSession.objects.create(course=course, kind=kind, **extra)
