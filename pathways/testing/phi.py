"""The PHI a refused answer must not hold: sentinels read from a matrix fixture.

A permission matrix builds its fixture, then `phi_sentinels()` reads back every
identifying or clinical string the database holds (names, birth dates, phone
numbers, e-mail addresses, diagnoses, medications, the EMDR target memory, …) so
that each 403, 404 and sign-in redirect can be searched for them. Fixtures give
their clients distinctive names (`make_phi_client`) so that a hit means a leak,
not a word that happens to be on every page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.html import escape

from accounts.models import User
from bls.models import EmdrRecord
from clients.models import Allergy, Client, Diagnosis, ReportedMedication
from clients.tests.factories import make_client
from intake.models import AppointmentRequest, ContactMessage
from partners.models import Referral
from treatment.models import TreatmentCourse

# Names no page of the practice prints unless it shows that client.
DISTINCTIVE_NAMES = (
    ("Zebulon", "Quartermaine"),
    ("Philippa", "Ashgrove-Vance"),
    ("Octavian", "Thistlewood"),
    ("Marguerite", "Okonkwo-Lindqvist"),
)
# Shorter strings ("PTSD" aside) are words of any page; below this length a
# sentinel would fail the test for no leak.
MIN_LENGTH = 4

# (model, text fields) of the PHI a fixture may hold.
_FIELDS: tuple[tuple[type[Any], tuple[str, ...]], ...] = (
    (
        Client,
        (
            "email",
            "phone",
            "address_line1",
            "emergency_contact_name",
            "emergency_contact_phone",
            "escort_name",
            "escort_phone",
        ),
    ),
    (Diagnosis, ("description",)),
    (ReportedMedication, ("name",)),
    (Allergy, ("substance",)),
    (Referral, ("reason",)),
    (TreatmentCourse, ("goals",)),
    (EmdrRecord, ("target_memory", "image", "negative_cognition", "positive_cognition")),
    (AppointmentRequest, ("email", "phone", "reason")),
    (ContactMessage, ("name", "email", "phone", "message")),
)


def make_phi_client(
    therapist: User | None = None, n: int = 0, *, dob: dt.date | None = None, **extra: Any
) -> Client:
    """A client whose name, birth date, phone and e-mail are the `n`th distinctive set,
    assigned to `therapist`."""
    first, last = DISTINCTIVE_NAMES[n % len(DISTINCTIVE_NAMES)]
    data: dict[str, Any] = {
        "first_name": first,
        "last_name": last,
        "email": f"{first.lower()}.{last.lower()}@example.net",
        "phone": f"(555) 013-{4271 + n:04d}",
        "date_of_birth": dob or dt.date(1961 + n, 7, 23),
        "assigned_therapist": therapist,
    }
    data.update(extra)
    return make_client(**data)


def _date_texts(day: dt.date) -> list[str]:
    # The ways a template prints a date (ISO, US, long and short month names).
    return [
        day.isoformat(),
        day.strftime("%m/%d/%Y"),
        f"{day:%B} {day.day}, {day.year}",
        f"{day:%b} {day.day}, {day.year}",
    ]


def phi_sentinels() -> list[str]:
    """Every PHI string the database holds now, longest first."""
    texts: set[str] = set()
    for client in Client.objects.all():
        texts.add(client.full_name)
        texts.add(f"{client.last_name}, {client.first_name}")
        if client.date_of_birth:
            texts.update(_date_texts(client.date_of_birth))
    for model, fields in _FIELDS:
        for row in model.objects.all():
            texts.update(str(getattr(row, field) or "") for field in fields)
    for referral in Referral.objects.all():
        texts.update(str(d.get("description", "")) for d in referral.diagnoses)
        texts.update(str(m) for m in referral.medications)
    for request in AppointmentRequest.objects.all():
        texts.add(f"{request.first_name} {request.last_name}")
    return sorted((t for t in texts if len(t.strip()) >= MIN_LENGTH), key=len, reverse=True)


def body_of(response: Any) -> str:
    """The text of a response, streamed or not."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return str(response.content.decode(errors="replace"))


def leaked(response: Any, sentinels: list[str]) -> list[str]:
    """The sentinels the response's body holds (HTML-escaped or not)."""
    body = body_of(response)
    return [s for s in sentinels if s in body or escape(s) in body]
