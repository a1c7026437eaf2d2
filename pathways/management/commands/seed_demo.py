"""Create a fictional practice to explore: services, staff, requests, clients, a
KAP client mid-course with six months of scores and a dosing session today, past
courses for the outcomes report, a referral at every step, the accounting of
disclosures with one release revoked, an on-call therapist named for emergency
(break-glass) access, a full week on the calendar and what waits at the front desk
(see the _demo_* modules).

Seeds once. Run again on a later day, it moves the demo's dates forward so that
today's session is today (_demo_refresh); the same day, it changes nothing. Either
way it prints the logins. Every name, address and phone number here is invented
(555-01xx numbers are reserved for fiction).

`seed_demo --clients N` builds instead a practice group of N clients over two years,
in bulk, for `make bench` (see `_bulk_seed`): only in an empty database, never beside
the demo.
"""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from clients.models import Client, ClientStatus
from intake.models import AppointmentRequest, ContactMessage, RequestStatus, StatusChange
from partners.models import Partner
from partners.services import membership_set
from pathways.management.commands._bulk_seed import NotEmptyError, seed_bulk
from pathways.management.commands._demo_activity import seed_activity
from pathways.management.commands._demo_amendments import seed_amendments
from pathways.management.commands._demo_api import seed_api_tokens
from pathways.management.commands._demo_break_glass import ON_CALL, seed_break_glass
from pathways.management.commands._demo_common import at, backdate, day_ago
from pathways.management.commands._demo_disclosures import seed_disclosures
from pathways.management.commands._demo_history import seed_history
from pathways.management.commands._demo_import import seed_import
from pathways.management.commands._demo_intake import seed_intake
from pathways.management.commands._demo_outcomes import seed_outcomes
from pathways.management.commands._demo_pathway import morgan_dose_day, seed_pathway
from pathways.management.commands._demo_referrals import seed_referrals
from pathways.management.commands._demo_refresh import (
    days_behind,
    move_forward,
    off_the_weekend,
)
from pathways.management.commands._demo_today import seed_today
from pathways.management.commands._demo_week import clear_week, seed_week
from website.models import Service
from website.services import services_install_defaults

DEMO_PASSWORD = "pathways-demo-2026"  # noqa: S105  (printed and in the README on purpose)
DEMO_USERS = [
    ("admin", Role.ADMIN, "Alex", "Admin", ""),
    ("intake", Role.INTAKE, "Indira", "Intake", ""),
    ("therapist", Role.THERAPIST, "Theo", "Therapist", "LPC"),
    ("prescriber", Role.PRESCRIBER, "Priya", "Prescriber", "PMHNP-BC"),
]
DEMO_REQUESTS = [
    ("Jordan", "Avery", "ka-emdr", RequestStatus.NEW, "Memories of an accident keep coming back."),
    ("Sam", "Rivera", "kap", RequestStatus.NEW, "Depression that medication hasn't lifted."),
    ("Casey", "Morgan", "emdr", RequestStatus.CONTACTED, "Looking for help with past trauma."),
    ("Riley", "Chen", "individual-therapy", RequestStatus.SCHEDULED, "Stress after a move."),
    ("Taylor", "Brooks", "", RequestStatus.DECLINED, "Not sure what I need."),
]
DEMO_NAMES = [username for username, *_ in DEMO_USERS]
# Name, service, status, and days since the record was made (Morgan's is re-dated by
# _demo_pathway to her request, six months ago; Drew's intake is this week).
DEMO_CLIENTS = [
    ("Morgan", "Ellis", "kap", ClientStatus.ACTIVE, 186),
    ("Jamie", "Fox", "ka-emdr", ClientStatus.ACTIVE, 120),
    ("Drew", "Patel", "individual-therapy", ClientStatus.PROSPECTIVE, 10),
]


class Command(BaseCommand):
    help = "Seed a fictional demo practice (development only; runs once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--clients",
            type=int,
            default=None,
            help="Build a practice group of this many clients over two years, in bulk, "
            "instead of the demo (an empty database only).",
        )
        parser.add_argument(
            "--seed", type=int, default=14, help="The random seed of --clients (default 14)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo creates known passwords: refused in production mode.")
        if options["clients"] is not None:
            self._bulk(options["clients"], options["seed"])
            return
        if User.objects.filter(username="admin").exists():
            self._refresh()
        else:
            with transaction.atomic():
                self._seed()
            self.stdout.write(self.style.SUCCESS("Demo practice created."))
        self.stdout.write("Demo logins (staff sign-in at /staff/sign-in/):")
        for username, role, *_ in DEMO_USERS:
            self.stdout.write(f"  {username:<11} {Role(role).label:<30} password: {DEMO_PASSWORD}")
        on_call = f"{Role.THERAPIST.label} (on call, emergency access)"
        self.stdout.write(f"  {ON_CALL[0]:<11} {on_call:<30} password: {DEMO_PASSWORD}")

    def _bulk(self, clients: int, seed: int) -> None:
        if clients < 1:
            raise CommandError("--clients must be at least 1.")
        try:
            counts = seed_bulk(clients, seed, DEMO_PASSWORD, self.stdout.write)
        except NotEmptyError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Practice group of {clients} clients created."))
        for label, count in sorted(counts.items()):
            self.stdout.write(f"  {label:<32} {count:>9}")
        self.stdout.write(
            f"Logins: admin, intake, therapist, prescriber (and numbered others), "
            f"password: {DEMO_PASSWORD}"
        )

    def _refresh(self) -> None:
        """Move the demo to today when it was seeded on an earlier day (_demo_refresh)."""
        days = days_behind()
        if not days:
            self.stdout.write("Demo data is already there; nothing changed.")
            return
        with transaction.atomic():
            clear_week()
            move_forward(days)
            off_the_weekend()
            users = {user.role: user for user in User.objects.filter(username__in=DEMO_NAMES)}
            seed_week(users)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data moved {days} days forward: today's session is today.")
        )

    def _seed(self) -> None:
        services_install_defaults()
        partner = Partner.objects.create(
            name="Blue Ridge Psychiatry (demo)",
            phone="(555) 010-0150",
            email="office@blueridge.example",
        )
        users: dict[str, User] = {}
        # One hash for the one published password: hashing is the slowest step of the
        # demo, and every demo user shares the password anyway.
        password_hash = make_password(DEMO_PASSWORD)
        for username, role, first, last, credentials in DEMO_USERS:
            user = User(
                username=username,
                role=role,
                first_name=first,
                last_name=last,
                credentials=credentials,
                email=f"{username}@pathways.example",
                is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN,
                # The practice owner also sees clients: a clinician, who may
                # acknowledge safety alerts.
                is_clinician=role == Role.ADMIN,
                on_call=role == Role.THERAPIST,
            )
            user.password = password_hash
            user.save()
            if role == Role.PRESCRIBER:
                membership_set(user=user, partner=partner)
            users[role] = user
        services = {s.slug: s for s in Service.objects.all()}
        now = timezone.now()
        for i, (first, last, slug, status, reason) in enumerate(DEMO_REQUESTS):
            appt = AppointmentRequest.objects.create(
                first_name=first,
                last_name=last,
                email=f"{first.lower()}.{last.lower()}@example.com",
                phone=f"(555) 010-01{i:02d}",
                preferred_contact="phone",
                preferred_times=["morning", "evening"],
                service=services.get(slug),
                reason=reason,
                heard_about="search",
                consent_to_contact=True,
                not_emergency_ack=True,
                status=status,
                submission_token=uuid.uuid4(),
            )
            AppointmentRequest.objects.filter(pk=appt.pk).update(
                created_at=now - timedelta(days=len(DEMO_REQUESTS) - i)
            )
            if status != RequestStatus.NEW:
                StatusChange.objects.create(
                    request=appt,
                    from_status=RequestStatus.NEW,
                    to_status=status,
                    changed_by=users[Role.INTAKE],
                )
        for first, last, slug, client_status, since in DEMO_CLIENTS:
            client = Client.objects.create(
                first_name=first,
                last_name=last,
                email=f"{first.lower()}.{last.lower()}@example.com",
                phone="(555) 010-0199",
                status=client_status,
                service_of_interest=services[slug].title if slug in services else "",
                assigned_therapist=users[Role.THERAPIST],
                created_by=users[Role.INTAKE],
            )
            backdate(Client, client.pk, created_at=at(day_ago(since), 10))
        seed_pathway(users, partner)
        call_command("load_instruments", stdout=io.StringIO())
        seed_outcomes(users, partner)
        seed_history(users, morgan_dose_day())
        rowan_preparation = seed_referrals(users, partner)
        seed_disclosures(users)
        seed_amendments(users)
        seed_break_glass(password_hash)
        seed_api_tokens(users)
        seed_import(users)
        seed_today(users, rowan_preparation)
        seed_week(users)
        ContactMessage.objects.create(
            name="Pat Quinn",
            email="pat.quinn@example.com",
            message="Do you take insurance for KAP sessions?",
        )
        seed_intake(users)
        # Last: the staff open pages through the real views (the audit report's trail).
        seed_activity(DEMO_PASSWORD)
