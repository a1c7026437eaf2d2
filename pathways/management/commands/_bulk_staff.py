"""The bulk practice's people and places: three sites, their rooms and clinicians,
the front desk, the owner, and five partner organisations with two prescribers each.

Sites. Pathways has no site model (the scheduling app has rooms, and nothing else
asks for a site yet), so a site is the prefix of its rooms' names ("Richmond · Room
4"); no model is added. Each clinician has a room of their own at their site, where
they also hold dosing sessions, so a clinician who is never double-booked never
double-books a room either.

Clinicians. The issue asks for 15 clinicians; 15 can hold 25 appointments a year or
two for about 1,200 clients at most (a clinician's week here is 35 hourly slots). At
10,000 clients that would be some 33 appointments a day each: no calendar holds that
without double-booking, which the practice's own booking refuses. So the practice
has 15 clinicians up to 1,200 clients and one more per `CLIENTS_PER_CLINICIAN`
beyond, in threes (one per site).

Usernames: the demo's ("admin", "intake", "therapist", "prescriber") name the
first of each kind, so `make bench` signs in the same way on either data set; the
others are numbered. Every one has the demo's password. Everything is invented.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission

from accounts.models import Role, User
from consents.default_documents import DEFAULT_DOCUMENTS
from consents.models import ConsentDocument
from partners.models import Partner, PartnerMembership
from pathways.management.commands._bulk_common import Tables, Trail, Who, at
from scheduling.models import Room, WorkingHours

SITES = ("Richmond", "Charlottesville", "Norfolk")
PARTNERS = (
    "Blue Ridge Psychiatry",
    "James River Medication Management",
    "Tidewater Psychiatric Partners",
    "Shenandoah Integrative Psychiatry",
    "Piedmont Ketamine Medicine",
)
PRESCRIBERS_PER_PARTNER = 2
# accounts.services.PRIVILEGE_FIELDS besides role and is_active, as user.create logs them.
PRIVILEGE_FLAGS = ("is_staff", "is_superuser", "is_clinician", "on_call")
BASE_CLINICIANS = 15
CLIENTS_PER_CLINICIAN = 80
FIRST_NAMES = [
    "Ada",
    "Ben",
    "Cleo",
    "Dev",
    "Esme",
    "Finn",
    "Gia",
    "Hugo",
    "Iris",
    "Jude",
    "Kai",
    "Lena",
    "Milo",
    "Nia",
    "Omar",
    "Pia",
    "Quin",
    "Rosa",
    "Sami",
    "Tess",
    "Umar",
    "Vera",
    "Wren",
    "Xavi",
    "Yara",
    "Zeke",
    "Alba",
    "Bram",
    "Cora",
    "Dario",
    "Elin",
    "Faye",
    "Gus",
    "Hana",
    "Ines",
    "Joel",
    "Kira",
    "Lars",
    "Maya",
    "Nico",
]
LAST_NAMES = [
    "Abbott",
    "Baird",
    "Castillo",
    "Dunmore",
    "Ekwueme",
    "Farrow",
    "Gallo",
    "Huang",
    "Ivers",
    "Jovanovic",
    "Kearney",
    "Lindgren",
    "Moreno",
    "Nakamura",
    "Okonkwo",
    "Prescott",
    "Quigley",
    "Rasmussen",
    "Sato",
    "Thorne",
    "Underhill",
    "Valdez",
    "Whitlock",
    "Xu",
    "Yilmaz",
    "Zielinski",
    "Ashby",
    "Brannigan",
    "Corrigan",
    "Delacroix",
]


def clinician_count(clients: int) -> int:
    if clients <= BASE_CLINICIANS * CLIENTS_PER_CLINICIAN:
        return BASE_CLINICIANS
    sites = len(SITES)
    return sites * math.ceil(clients / (CLIENTS_PER_CLINICIAN * sites))


@dataclass
class Practice:
    """Ids of what every client's record points at."""

    start: dt.date  # the first day of the practice's two years
    admin: Who
    intake: list[Who]  # one front desk per site
    clinicians: list[Who]  # clinician c works at site c % 3
    rooms: list[int]  # clinician c's room
    on_call: list[int]  # user ids of the on-call clinicians
    partners: list[int]
    prescribers: list[list[Who]]  # per partner
    services: dict[str, tuple[int, str]]  # service slug -> id, title
    documents: dict[str, tuple[int, str, str, str]] = field(default_factory=dict)

    def site_of(self, clinician: int) -> int:
        return clinician % len(SITES)

    def colleague(self, clinician: int) -> Who:
        """Another clinician at the same site (the dose's witness)."""
        step = len(SITES)
        return self.clinicians[(clinician + step) % len(self.clinicians)]


@dataclass(frozen=True)
class Hiring:
    """Who adds the staff accounts, and when (the practice's first morning)."""

    tables: Tables
    trail: Trail
    password: str  # the hash of the demo's password
    at: dt.datetime
    by: Who = None  # the owner; the owner's own account is the set-up's (the system)


def _user(hiring: Hiring, username: str, role: str, name: tuple[str, str], **extra: Any) -> Who:
    """A staff account, audited as accounts.services writes it (its privileges)."""
    first, last = name
    pk = hiring.tables[User].add(
        username=username,
        password=hiring.password,
        role=role,
        first_name=first,
        last_name=last,
        email=f"{username}@pathways.example",
        is_active=True,
        date_joined=hiring.at,
        **extra,
    )
    privileges = {
        "role": role,
        "is_active": True,
        **{flag: bool(extra.get(flag)) for flag in PRIVILEGE_FLAGS},
        "groups": [],
        "user_permissions": [],
    }
    hiring.trail.log(
        hiring.at, hiring.by, "user.create", User, pk, None, {"privileges": privileges}
    )
    return (pk, username)


def seed_practice(
    tables: Tables, trail: Trail, clients: int, start: dt.date, password: str
) -> Practice:
    """The users, sites, rooms, hours, partners and consent forms, as of `start`."""
    opened = at(start, 8)
    # One hash for the one published password (hashing is slow on purpose).
    setup = Hiring(tables, trail, make_password(password), opened)
    admin = _user(
        setup,
        "admin",
        Role.ADMIN,
        ("Alex", "Admin"),
        is_staff=True,
        is_superuser=True,
        is_clinician=True,
    )
    hiring = replace(setup, by=admin)
    people = [(f, s) for s in LAST_NAMES for f in FIRST_NAMES]
    intake = [
        _user(hiring, "intake" if s == 0 else f"intake{s + 1}", Role.INTAKE, people[s])
        for s in range(len(SITES))
    ]
    count = clinician_count(clients)
    clinicians: list[Who] = []
    rooms: list[int] = []
    on_call: list[int] = []
    for c in range(count):
        site = c % len(SITES)
        name = "therapist" if c == 0 else f"clinician{c + 1:03d}"
        # One on-call clinician per site: told of every safety alert.
        who = _user(
            hiring,
            name,
            Role.THERAPIST,
            people[10 + c],
            credentials="LPC" if c % 2 else "LCSW, EMDR-certified",
            on_call=c < len(SITES),
        )
        clinicians.append(who)
        if c < len(SITES):
            assert who is not None  # noqa: S101
            on_call.append(who[0])
        number = c // len(SITES) + 1
        rooms.append(
            tables[Room].add(name=f"{SITES[site]} · Room {number}", feed_label=f"Room {number}")
        )
        for weekday in range(5):
            tables[WorkingHours].add(
                clinician_id=who[0] if who else None,
                weekday=weekday,
                start=dt.time(9),
                end=dt.time(17),
            )
    partners: list[int] = []
    prescribers: list[list[Who]] = []
    for p, title in enumerate(PARTNERS):
        partner = tables[Partner].add(
            name=title, phone=f"(555) 010-01{50 + p}", email=f"office{p + 1}@partner.example"
        )
        partners.append(partner)
        group: list[Who] = []
        for k in range(PRESCRIBERS_PER_PARTNER):
            n = p * PRESCRIBERS_PER_PARTNER + k
            name = "prescriber" if n == 0 else f"prescriber{n + 1:02d}"
            who = _user(
                hiring,
                name,
                Role.PRESCRIBER,
                people[500 + n],
                credentials="MD" if k else "PMHNP-BC",
            )
            assert who is not None  # noqa: S101
            tables[PartnerMembership].add(user_id=who[0], partner_id=partner)
            group.append(who)
        prescribers.append(group)
    return Practice(start, admin, intake, clinicians, rooms, on_call, partners, prescribers, {})


def grant_break_glass(practice: Practice) -> None:
    """The on-call clinicians are named for emergency access (after the users exist)."""
    permission = Permission.objects.get(codename="break_glass")
    # Through the join table rather than Permission.user_set: the reverse accessor of
    # a swapped user model is not one django-stubs always infers.
    through = User.user_permissions.through
    through._default_manager.bulk_create(
        [through(user_id=user_id, permission_id=permission.pk) for user_id in practice.on_call]
    )


def install_documents(trail: Trail, practice: Practice) -> None:
    """Version 1 of each consent form, published when the practice opened (through the
    model: `ConsentDocument.save` numbers the version). An existing version is kept."""
    opened = at(practice.start, 8, 30)
    for default in DEFAULT_DOCUMENTS:
        document = ConsentDocument.latest(default["kind"])
        if document is None:
            document = ConsentDocument.objects.create(
                kind=default["kind"], title=default["title"], body=default["body"]
            )
            ConsentDocument.objects.filter(pk=document.pk).update(created_at=opened)
            trail.log(
                opened,
                None,
                "consent_document.create",
                ConsentDocument,
                document.pk,
                None,
                {"kind": document.kind},
            )
        practice.documents[document.kind] = (
            document.pk,
            document.sha256,
            document.title,
            document.body,
        )
