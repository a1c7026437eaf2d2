"""Emergency (break-glass) access (issue 10 §4): a therapist named in advance opens a
client outside their care team with a reason, for BREAK_GLASS_MINUTES; every
request in that window is audited and the admins are told."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from accounts.actor import Actor
from accounts.reauth import reauth_url
from accounts.tests.support import sign_in, user_change_data
from audit.models import AuditEvent
from clients.breakglass import (
    BreakGlassError,
    break_glass_end,
    break_glass_open,
    grants_in_force,
)
from clients.models import BreakGlassGrant
from clients.queries import _REQUEST_GRANTS, clients_visible_to, grants_of_this_request
from clients.tests.support import OPEN, REASON, BreakGlassTestCase
from notifications.models import OutboundEmail
from pathways.testing import (
    make_course,
    make_grant,
    make_user,
    name_for_break_glass,
)
from scheduling.services import SchedulingError, appointment_book
from scheduling.tests.factories import make_appointment
from scheduling.tests.support import booking


class NamedInAdvanceTests(BreakGlassTestCase):
    def test_it_refuses_a_therapist_not_named_and_audits_it(self) -> None:
        self.as_user(self.therapist2)

        for response in (self.client.get(OPEN), self.open_for_wren()):
            assert response.status_code == 403
        assert (
            AuditEvent.objects.filter(
                action="breakglass.refused", actor=self.therapist2, detail={"refused": "not_named"}
            ).count()
            == 2
        )
        assert not BreakGlassGrant.objects.exists()

    def test_it_refuses_admin_intake_and_prescriber_even_with_the_permission(self) -> None:
        for user in (self.admin, self.intake, self.prescriber):
            name_for_break_glass(user)
            self.as_user(user)

            assert self.open_for_wren().status_code == 403
        assert not BreakGlassGrant.objects.exists()

    def test_it_audits_the_admin_naming_a_user(self) -> None:
        permission = Permission.objects.get(codename="break_glass")
        sign_in(self.client, self.admin)
        url = f"/admin/accounts/user/{self.therapist2.pk}/change/"

        data = user_change_data(self.therapist2, user_permissions=[permission.pk])
        response = self.client.post(url, data)

        assert response.status_code == 302
        event = AuditEvent.objects.get(action="user.privilege_change")
        assert event.detail == {"changed": {"user_permissions": [[], [permission.pk]]}}

    def test_it_sends_a_named_user_without_fresh_reauthentication_to_reauthenticate(self) -> None:
        self.as_user(self.named, fresh=False)

        response = self.client.get(OPEN)
        posted = self.open_for_wren()

        assert response.status_code == 302
        assert response["Location"] == reauth_url(OPEN)
        assert posted.status_code == 403
        assert "confirm" in posted.content.decode().lower()
        assert not BreakGlassGrant.objects.exists()


class FormTests(BreakGlassTestCase):
    def test_it_shows_a_short_reason_beside_the_field_and_keeps_the_text(self) -> None:
        self.as_user(self.named)

        response = self.open_for_wren(reason="  urgent call  ")

        assert response.status_code == 200
        form = response.context["form"]
        assert "at least 15 characters" in form.errors["reason"][0]
        html = response.content.decode()
        assert 'id="id_reason_error"' in html
        assert "urgent call" in html
        assert 'value="wren"' in html
        assert not BreakGlassGrant.objects.exists()

    def test_it_finds_nobody_without_an_exact_match_and_says_so(self) -> None:
        self.as_user(self.named)

        for changes in ({"date_of_birth": "1984-03-10"}, {"first_name": "Wre"}):
            response = self.open_for_wren(**changes)

            assert response.status_code == 200
            assert (
                "No client record matches exactly"
                in response.context["form"].errors["last_name"][0]
            )
            # Nothing of any client is shown.
            assert "Halloway" not in response.content.decode().replace('value=" Halloway"', "")
        assert (
            AuditEvent.objects.filter(
                action="breakglass.refused", detail={"refused": "no_match"}
            ).count()
            == 2
        )
        assert not BreakGlassGrant.objects.exists()

    def test_it_asks_for_the_first_name_and_birth_date_or_a_number(self) -> None:
        self.as_user(self.named)

        response = self.open_for_wren(first_name="", date_of_birth="")

        assert "client number" in response.context["form"].errors["first_name"][0]

    def test_it_opens_by_client_number_with_the_last_name_as_a_check(self) -> None:
        self.as_user(self.named)

        wrong = self.client.post(
            OPEN, {"client_number": self.wren.pk, "last_name": "Other", "reason": REASON}
        )
        right = self.client.post(
            OPEN, {"client_number": self.wren.pk, "last_name": "halloway", "reason": REASON}
        )

        assert wrong.status_code == 200
        assert right.status_code == 302
        assert BreakGlassGrant.objects.get().client == self.wren

    def test_it_sends_the_user_to_a_client_they_already_see_without_a_grant(self) -> None:
        self.as_user(self.named)

        response = self.client.post(
            OPEN, {"client_number": self.own.pk, "last_name": "Own", "reason": REASON}
        )

        assert response["Location"] == self.own.get_absolute_url()
        assert not BreakGlassGrant.objects.exists()


class GrantTests(BreakGlassTestCase):
    def test_it_opens_that_client_only_and_says_until_when(self) -> None:
        self.as_user(self.named)

        response = self.open_for_wren()

        assert response.status_code == 302
        assert response["Location"] == self.wren.get_absolute_url()
        grant = BreakGlassGrant.objects.get()
        assert grant.reason == REASON
        assert grant.expires_at - grant.started_at == dt.timedelta(
            minutes=settings.BREAK_GLASS_MINUTES
        )
        page = self.client.get(self.wren.get_absolute_url())
        assert page.status_code == 200
        assert f"until {grant.until_label}" in page.content.decode()
        assert "every page you open is recorded" in page.content.decode()
        assert self.client.get(self.other.get_absolute_url()).status_code == 404
        # The trail has the opening, with the client, and never the reason's words.
        event = AuditEvent.objects.get(action="breakglass.open")
        assert event.client_id == self.wren.pk
        assert "2 a.m." not in str(event.detail)

    def test_it_stores_the_reason_encrypted(self) -> None:
        make_grant(self.named, self.wren, reason=REASON)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT reason FROM clients_breakglassgrant")
            (stored,) = cursor.fetchone()
        assert "Crisis" not in stored

    def test_it_opens_the_rest_of_the_record_through_every_access_helper(self) -> None:
        course = make_course(self.wren, self.therapist2)
        appointment = make_appointment(
            self.wren, self.therapist2, timezone.now() + dt.timedelta(days=1)
        )
        self.as_user(self.named)
        urls = [
            reverse("treatment:course", args=[course.pk]),
            reverse("scheduling:appointment", args=[appointment.pk]),
            reverse("measures:client", args=[self.wren.pk]),
        ]
        assert all(self.client.get(url).status_code == 404 for url in urls)

        make_grant(self.named, self.wren)

        assert [self.client.get(url).status_code for url in urls] == [200, 200, 200]

    def test_it_gives_nothing_at_or_after_expiry(self) -> None:
        grant = make_grant(self.named, self.wren)
        url = self.wren.get_absolute_url()
        self.as_user(self.named)

        for offset, status in ((-1, 200), (0, 404), (1, 404)):
            moment = grant.expires_at + dt.timedelta(seconds=offset)
            with mock.patch("clients.queries.now", return_value=moment):
                assert self.client.get(url).status_code == status, offset
                assert clients_visible_to(self.named).filter(pk=self.wren.pk).exists() == (
                    status == 200
                )

    def test_it_refuses_in_the_service_a_reason_too_short_or_a_user_not_named(self) -> None:
        for actor, reason, field in (
            (Actor.for_user(self.named), "too short", "reason"),
            (Actor.for_user(self.therapist2), REASON, None),
        ):
            with pytest.raises(BreakGlassError) as refused:
                break_glass_open(actor=actor, client=self.wren, reason=reason)
            assert refused.value.field == field
        assert not BreakGlassGrant.objects.exists()


class AuditEveryRequestTests(BreakGlassTestCase):
    def test_it_audits_every_request_in_the_window_and_none_after(self) -> None:
        grant = make_grant(self.named, self.wren)
        self.as_user(self.named)
        pages = [
            "/staff/",
            reverse("clients:list"),
            self.wren.get_absolute_url(),
            self.other.get_absolute_url(),
        ]

        for url in pages:
            self.client.get(url)

        entries = AuditEvent.objects.filter(action="breakglass.request").order_by("pk")
        assert [e.detail["url_name"] for e in entries] == [
            "dashboard:home",
            "clients:list",
            "clients:detail",
            "clients:detail",
        ]
        assert [e.detail["status"] for e in entries] == [200, 200, 200, 404]
        assert {e.client_id for e in entries} == {self.wren.pk}
        assert {e.object_id for e in entries} == {str(grant.pk)}
        # The refused one is still written as a refusal too.
        assert AuditEvent.objects.filter(action="access.refused", actor=self.named).exists()

        with mock.patch("clients.queries.now", return_value=grant.expires_at):
            self.client.get("/staff/")
        assert AuditEvent.objects.filter(action="breakglass.request").count() == 4

    def test_it_does_not_audit_another_user_s_requests(self) -> None:
        make_grant(self.named, self.wren)
        self.as_user(self.therapist2)

        self.client.get(self.wren.get_absolute_url())

        assert not AuditEvent.objects.filter(action="breakglass.request").exists()


class AdminsToldTests(BreakGlassTestCase):
    def test_it_emails_every_active_admin_without_phi(self) -> None:
        admin2 = make_user("admin2", "admin")
        make_user("gone", "admin", is_active=False)
        self.as_user(self.named)

        self.open_for_wren()

        emails = list(OutboundEmail.objects.order_by("to"))
        assert [e.to for e in emails] == sorted([self.admin.email, admin2.email])
        grant = BreakGlassGrant.objects.get()
        for email in emails:
            text = email.subject + email.body
            for phi in ("Wren", "Halloway", "1984", "Crisis", str(self.wren.pk) + "/"):
                assert phi not in text, phi
            assert f"/staff/clients/break-glass/grants/#grant-{grant.pk}" in email.body
            assert self.named.display_name in email.body
        assert AuditEvent.objects.get(action="breakglass.open").detail["notified"] == sorted(
            [self.admin.pk, admin2.pk]
        )


class CostTests(BreakGlassTestCase):
    def test_it_asks_one_plain_question_of_a_therapist_without_a_grant(self) -> None:
        # Every staff request asks (clients.middleware); the full rule joins the
        # permission tables, so it runs only for a grant not yet expired.
        grant = make_grant(self.named, self.wren)
        with self.assertNumQueries(1) as caught:
            assert grants_in_force(self.therapist2) == []
        assert "auth_permission" not in caught.captured_queries[0]["sql"]

        expired = mock.patch("clients.queries.now", return_value=grant.expires_at)
        with expired, self.assertNumQueries(1):
            assert grants_in_force(self.named) == []
        assert [g.client for g in grants_in_force(self.named)] == [self.wren]


class GrantsReadOncePerRequestTests(BreakGlassTestCase):
    """Within a request the grants are those the middleware read at its start
    (clients.queries.grants_of_this_request); opening one reads them afresh."""

    def test_it_refuses_a_second_grant_opened_meanwhile_by_another_request(self) -> None:
        actor = Actor.for_user(self.named, "127.0.0.1")
        # This request began before the other one opened its grant.
        with grants_of_this_request(self.named, []):
            make_grant(self.named, self.wren)  # the other request (a double click)

            with pytest.raises(BreakGlassError, match="already have access"):
                break_glass_open(actor=actor, client=self.wren, reason=REASON)

        assert BreakGlassGrant.objects.filter(client=self.wren).count() == 1

    def test_it_closes_the_record_for_the_rest_of_the_request_when_a_grant_ends(self) -> None:
        grant = make_grant(self.named, self.wren)
        actor = Actor.for_user(self.named, "127.0.0.1")

        with grants_of_this_request(self.named, [self.wren.pk]):
            assert clients_visible_to(self.named).filter(pk=self.wren.pk).exists()
            break_glass_end(actor=actor, grant=grant)
            assert not clients_visible_to(self.named).filter(pk=self.wren.pk).exists()

    def test_it_reads_afresh_for_a_write(self) -> None:
        # The request began while the grant was in force; it has expired since.
        grant = make_grant(self.named, self.wren)
        BreakGlassGrant.objects.filter(pk=grant.pk).update(
            expires_at=timezone.now() - dt.timedelta(seconds=1)
        )
        starts = timezone.now() + dt.timedelta(days=1)

        with grants_of_this_request(self.named, [self.wren.pk]):
            assert clients_visible_to(self.named).filter(pk=self.wren.pk).exists()
            assert not clients_visible_to(self.named, fresh=True).filter(pk=self.wren.pk).exists()
            with pytest.raises(SchedulingError, match="cannot book for this client"):
                appointment_book(
                    actor=Actor.for_user(self.named, "127.0.0.1"),
                    booking=booking(self.wren, self.named, starts),
                )

    def test_it_forgets_the_grants_when_the_request_ends(self) -> None:
        make_grant(self.named, self.wren)
        self.as_user(self.named)

        assert self.client.get(f"/staff/clients/{self.wren.pk}/").status_code == 200
        # Read afresh outside a request: what the request read is gone with it.
        assert _REQUEST_GRANTS.get() is None
