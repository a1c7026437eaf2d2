from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from accounts.models import Role, User
from clients.models import Client
from intake.models import AppointmentRequest, ContactMessage, RequestStatus, StatusChange
from pathways.testing import BaseTestCase
from website.management.commands.seed_demo import DEMO_PASSWORD
from website.models import Service


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


class SeedDemoTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        # seed_demo only seeds a practice without its demo users: start empty.
        User.objects.all().delete()
        Service.objects.all().delete()

    def test_it_creates_the_demo_practice(self) -> None:
        output = seed()

        assert "Demo practice created." in output
        roles = dict(User.objects.values_list("username", "role"))
        assert roles == {
            "admin": Role.ADMIN,
            "intake": Role.INTAKE,
            "therapist": Role.THERAPIST,
            "prescriber": Role.PRESCRIBER,
        }
        assert sorted(Service.objects.values_list("slug", flat=True)) == [
            "emdr",
            "individual-therapy",
            "ka-emdr",
            "kap",
        ]
        assert AppointmentRequest.objects.count() == 5
        assert Client.objects.count() == 3
        assert ContactMessage.objects.count() == 1

    def test_it_prints_working_logins(self) -> None:
        output = seed()

        for username in ("admin", "intake", "therapist", "prescriber"):
            assert re.search(rf"{username}\s.*password: {DEMO_PASSWORD}", output)
            assert User.objects.get(username=username).check_password(DEMO_PASSWORD)
        admin = User.objects.get(username="admin")
        assert admin.is_staff
        assert admin.is_superuser
        assert not User.objects.get(username="intake").is_staff

    def test_it_gives_each_worked_request_its_history(self) -> None:
        seed()

        for appt in AppointmentRequest.objects.exclude(status=RequestStatus.NEW):
            change = StatusChange.objects.get(request=appt)
            assert (change.from_status, change.to_status) == ("new", appt.status)
            assert change.changed_by.username == "intake"
        new = AppointmentRequest.objects.filter(status=RequestStatus.NEW)
        assert not StatusChange.objects.filter(request__in=new).exists()

    def test_it_spreads_the_requests_over_past_days(self) -> None:
        seed()

        dates = list(AppointmentRequest.objects.values_list("created_at", flat=True))
        assert len({d.date() for d in dates}) == 5
        assert all(d < timezone.now() - timedelta(hours=23) for d in dates)

    def test_it_uses_fictional_phone_numbers_only(self) -> None:
        seed()

        phones = [
            *AppointmentRequest.objects.values_list("phone", flat=True),
            *Client.objects.values_list("phone", flat=True),
        ]
        assert phones
        assert all(re.fullmatch(r"\(555\) 010-01\d\d", phone) for phone in phones)

    def test_it_assigns_the_demo_clients_to_the_therapist(self) -> None:
        seed()

        therapist = User.objects.get(username="therapist")
        assert set(Client.objects.values_list("assigned_therapist", flat=True)) == {therapist.pk}

    @override_settings(PRODUCTION=True)
    def test_it_refuses_to_run_in_production(self) -> None:
        with pytest.raises(CommandError, match="refused in production"):
            seed()

        assert not User.objects.exists()
        assert not AppointmentRequest.objects.exists()


class SeedDemoAgainTestCase(BaseTestCase):
    def test_it_changes_nothing_when_the_demo_users_exist(self) -> None:
        requests_before = AppointmentRequest.objects.count()
        users_before = User.objects.count()

        output = seed()

        assert "already there; nothing changed" in output
        assert "Demo logins" in output
        assert AppointmentRequest.objects.count() == requests_before
        assert User.objects.count() == users_before
        assert list(Service.objects.values_list("slug", flat=True)) == ["kap"]
