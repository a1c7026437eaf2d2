"""Create a fictional practice to explore: services, staff, requests, clients, a
KAP pathway with a past and a planned dosing session, past courses for the
outcomes report, and the accounting of disclosures to the partner with one release
revoked, and an on-call therapist named for emergency (break-glass) access with
one past grant (see _demo_pathway, _demo_outcomes, _demo_disclosures and
_demo_break_glass).

Runs once: if the demo users exist it only prints the logins again. Every name,
address and phone number here is invented (555-01xx numbers are reserved for fiction).
"""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from clients.models import Client, ClientStatus
from intake.models import AppointmentRequest, ContactMessage, RequestStatus, StatusChange
from partners.models import Partner
from partners.services import membership_set
from pathways.management.commands._demo_activity import seed_activity
from pathways.management.commands._demo_amendments import seed_amendments
from pathways.management.commands._demo_break_glass import ON_CALL, seed_break_glass
from pathways.management.commands._demo_disclosures import seed_disclosures
from pathways.management.commands._demo_outcomes import seed_outcomes
from pathways.management.commands._demo_pathway import seed_pathway, seed_scores
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
DEMO_CLIENTS = [
    ("Morgan", "Ellis", "kap", ClientStatus.ACTIVE),
    ("Jamie", "Fox", "ka-emdr", ClientStatus.ACTIVE),
    ("Drew", "Patel", "individual-therapy", ClientStatus.PROSPECTIVE),
]


class Command(BaseCommand):
    help = "Seed a fictional demo practice (development only; runs once)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo creates known passwords: refused in production mode.")
        if User.objects.filter(username="admin").exists():
            self.stdout.write("Demo data is already there; nothing changed.")
        else:
            with transaction.atomic():
                self._seed()
            self.stdout.write(self.style.SUCCESS("Demo practice created."))
        self.stdout.write("Demo logins (staff sign-in at /staff/sign-in/):")
        for username, role, *_ in DEMO_USERS:
            self.stdout.write(f"  {username:<11} {Role(role).label:<30} password: {DEMO_PASSWORD}")
        on_call = f"{Role.THERAPIST.label} (on call, emergency access)"
        self.stdout.write(f"  {ON_CALL[0]:<11} {on_call:<30} password: {DEMO_PASSWORD}")

    def _seed(self) -> None:
        services_install_defaults()
        partner = Partner.objects.create(
            name="Blue Ridge Psychiatry (demo)",
            phone="(555) 010-0150",
            email="office@blueridge.example",
        )
        users: dict[str, User] = {}
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
            user.set_password(DEMO_PASSWORD)
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
        for first, last, slug, client_status in DEMO_CLIENTS:
            Client.objects.create(
                first_name=first,
                last_name=last,
                email=f"{first.lower()}.{last.lower()}@example.com",
                phone="(555) 010-0199",
                status=client_status,
                service_of_interest=services[slug].title if slug in services else "",
                assigned_therapist=users[Role.THERAPIST],
                created_by=users[Role.INTAKE],
            )
        seed_pathway(users, partner)
        call_command("load_instruments", stdout=io.StringIO())
        seed_scores()
        seed_outcomes(users, partner)
        seed_disclosures(users)
        seed_amendments(users)
        seed_break_glass(DEMO_PASSWORD)
        ContactMessage.objects.create(
            name="Pat Quinn",
            email="pat.quinn@example.com",
            message="Do you take insurance for KAP sessions?",
        )
        # Last: the staff open pages through the real views (the audit report's trail).
        seed_activity(DEMO_PASSWORD)
