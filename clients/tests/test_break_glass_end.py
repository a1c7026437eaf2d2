"""Emergency (break-glass) access, continued: ending it early, the admins' list of
grants, bad input, and the other therapists' view (see test_break_glass.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.actor import Actor
from accounts.models import User
from audit.models import AuditEvent
from clients.breakglass import BreakGlassError, break_glass_end, break_glass_open
from clients.models import BreakGlassGrant, Client
from clients.queries import clients_visible_to
from clients.tests.support import OPEN, REASON, BreakGlassTestCase
from pathways.testing import make_grant


class EndTests(BreakGlassTestCase):
    def test_it_ends_early_and_the_record_closes(self) -> None:
        grant = make_grant(self.named, self.wren)
        self.as_user(self.named)
        assert self.client.get(self.wren.get_absolute_url()).status_code == 200

        response = self.client.post(reverse("breakglass:end", args=[grant.pk]))

        assert response["Location"] == reverse("clients:list")
        grant.refresh_from_db()
        assert grant.ended_at is not None
        assert grant.ended_by == self.named
        assert self.client.get(self.wren.get_absolute_url()).status_code == 404
        assert AuditEvent.objects.get(action="breakglass.end").detail == {
            "grant": grant.pk,
            "by_holder": True,
        }

    def test_it_lets_an_admin_end_anyone_s_grant_but_not_another_therapist(self) -> None:
        grant = make_grant(self.named, self.wren)
        self.as_user(self.therapist2)
        assert self.client.post(reverse("breakglass:end", args=[grant.pk])).status_code == 404

        self.as_user(self.admin)
        response = self.client.post(reverse("breakglass:end", args=[grant.pk]))

        assert response["Location"] == reverse("breakglass:grants")
        grant.refresh_from_db()
        assert grant.ended_by == self.admin
        assert not clients_visible_to(self.named).filter(pk=self.wren.pk).exists()

    def test_it_closes_the_record_at_once_when_the_admin_takes_the_permission_away(
        self,
    ) -> None:
        make_grant(self.named, self.wren)
        self.as_user(self.named)
        assert self.client.get(self.wren.get_absolute_url()).status_code == 200

        self.named.user_permissions.clear()

        assert self.client.get(self.wren.get_absolute_url()).status_code == 404
        assert (
            not clients_visible_to(User.objects.get(pk=self.named.pk))
            .filter(pk=self.wren.pk)
            .exists()
        )

    def test_it_counts_the_permission_held_through_a_group(self) -> None:
        group = Group.objects.create(name="On call")
        group.permissions.add(Permission.objects.get(codename="break_glass"))
        self.named.user_permissions.clear()
        self.named.groups.add(group)
        make_grant(self.named, self.wren)
        self.as_user(self.named)

        assert self.client.get(self.wren.get_absolute_url()).status_code == 200

        self.named.groups.clear()

        assert self.client.get(self.wren.get_absolute_url()).status_code == 404

    def test_it_opens_one_grant_when_asked_twice(self) -> None:
        # The second request finds the first's grant under the client's lock
        # (PostgreSQL's two-writer version: test_break_glass_race.py).
        break_glass_open(actor=Actor.for_user(self.named), client=self.wren, reason=REASON)

        with pytest.raises(BreakGlassError, match="already have access"):
            break_glass_open(actor=Actor.for_user(self.named), client=self.wren, reason=REASON)

        assert BreakGlassGrant.objects.filter(user=self.named, client=self.wren).count() == 1

    def test_it_refuses_in_the_service_someone_else_ending_a_grant(self) -> None:
        grant = make_grant(self.named, self.wren)

        with pytest.raises(BreakGlassError):
            break_glass_end(actor=Actor.for_user(self.therapist2), grant=grant)

        grant.refresh_from_db()
        assert grant.ended_at is None

    def test_it_changes_nothing_when_ending_an_expired_grant(self) -> None:
        grant = make_grant(
            self.named, self.wren, expires_at=make_grant(self.named, self.own).started_at
        )
        self.as_user(self.named)

        self.client.post(reverse("breakglass:end", args=[grant.pk]))

        grant.refresh_from_db()
        assert grant.ended_at is None
        assert not AuditEvent.objects.filter(action="breakglass.end").exists()


class GrantsPageTests(BreakGlassTestCase):
    def test_it_lists_grants_for_the_admin_with_who_when_why_and_audits_it(self) -> None:
        live = make_grant(self.named, self.wren, reason=REASON)
        past = make_grant(self.named, self.other, reason="Covering a colleague's crisis call.")
        BreakGlassGrant.objects.filter(pk=past.pk).update(
            ended_at=past.started_at, ended_by=self.named
        )
        self.as_user(self.admin)

        response = self.client.get(reverse("breakglass:grants"))

        html = response.content.decode()
        assert response.status_code == 200
        for text in (REASON, "Covering a colleague", "In force", "Ended"):
            assert text in html
        assert self.named.display_name in html
        event = AuditEvent.objects.get(action="breakglass.list")
        assert sorted(event.detail["grants"]) == sorted([live.pk, past.pk])

    def test_it_is_for_the_admin_only(self) -> None:
        for user in (self.named, self.intake):
            self.as_user(user)
            assert self.client.get(reverse("breakglass:grants")).status_code == 403


class BadInputTests(BreakGlassTestCase):
    def test_it_never_answers_500_to_bad_input(self) -> None:
        from hypothesis import HealthCheck, given
        from hypothesis import settings as hsettings
        from hypothesis import strategies as st

        self.as_user(self.named)
        text = st.text(max_size=120)

        def often(*good: str) -> Any:
            # Plausible values half the time, so that examples get past the form to
            # the look-up and the grant, and anything at all the rest of the time.
            return st.one_of(st.sampled_from(good), text)

        fields = st.fixed_dictionaries(
            {},
            optional={
                "first_name": often("Wren", "wren ", "Omar", "Ada"),
                "last_name": often("Halloway", "Other", "Own", "Nobody"),
                "date_of_birth": st.one_of(st.dates().map(str), often("1984-03-09")),
                "client_number": st.one_of(
                    st.integers().map(str), often(str(self.wren.pk), str(self.own.pk))
                ),
                "reason": st.one_of(st.text(max_size=1200), often(REASON)),
            },
        )

        @hsettings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
        @given(fields)
        def post(data: dict[str, str]) -> None:
            response = self.client.post(OPEN, {k: v.replace("\x00", "") for k, v in data.items()})
            assert response.status_code in (200, 302), response.status_code

        post()
        for pk in ("0", "-1", "99999999999999999999"):
            assert self.client.post(f"/staff/clients/break-glass/{pk}/end/").status_code == 404


class UnusedClientTests(BreakGlassTestCase):
    def test_it_keeps_the_lists_of_other_therapists_unchanged(self) -> None:
        make_grant(self.named, self.wren)

        assert set(clients_visible_to(self.therapist2)) == {self.wren, self.other}
        assert set(clients_visible_to(self.named)) == {self.wren, self.own}
        assert Client.objects.count() == 3
