"""The audit trail of authentication: failed sign-ins, lock-outs, a failed second
factor, and privilege changes in the user admin. It does not depend on django-axes'
rows, which axes deletes on success and after the cool-off."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group

from accounts.models import Authenticator, Role
from accounts.tests.support import code_for, sign_in, user_change_data
from audit.models import AuditEvent
from pathways.testing import PASSWORD, BaseTestCase

WRONG = "Tr0ub4dor&3-not-the-password"


class FailedSignInAuditTestCase(BaseTestCase):
    def fail_sign_in(self, username: str = "intake", ip: str = "203.0.113.7") -> None:
        data = {"username": username, "password": WRONG}
        self.client.post("/staff/sign-in/", data, REMOTE_ADDR=ip)

    def test_it_records_the_username_tried_and_the_address(self) -> None:
        self.fail_sign_in()

        event = AuditEvent.objects.get(action="auth.login_failed")
        assert event.actor is None
        assert event.detail == {"username": "intake"}
        assert event.ip == "203.0.113.7"

    def test_it_never_records_the_password(self) -> None:
        self.fail_sign_in()

        assert WRONG not in str(list(AuditEvent.objects.values()))

    def test_it_records_a_username_that_does_not_exist(self) -> None:
        self.fail_sign_in(username="no-such-person")

        assert AuditEvent.objects.get(action="auth.login_failed").detail == {
            "username": "no-such-person"
        }

    def test_it_records_the_lock_out(self) -> None:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self.fail_sign_in()

        event = AuditEvent.objects.get(action="auth.lockout")
        assert event.detail == {"username": "intake"}
        assert event.ip == "203.0.113.7"
        assert AuditEvent.objects.filter(action="auth.login_failed").count() == 5

    def test_it_keeps_the_trail_after_axes_forgets_the_failures(self) -> None:
        for _ in range(2):
            self.fail_sign_in(ip="127.0.0.1")

        sign_in(self.client, self.intake)  # a success: axes deletes its rows

        assert not AccessAttempt.objects.exists()
        assert AuditEvent.objects.filter(action="auth.login_failed").count() == 2
        assert AuditEvent.objects.filter(action="auth.login").count() == 1


class SecondFactorAuditTestCase(BaseTestCase):
    def test_it_records_a_failed_code(self) -> None:
        device = Authenticator.objects.create(user=self.intake, name="phone", confirmed=True)
        self.client.post("/staff/sign-in/", {"username": "intake", "password": PASSWORD})
        wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

        self.client.post("/staff/sign-in/verify/", {"token": wrong})

        event = AuditEvent.objects.get(action="auth.2fa_failed")
        assert event.actor == self.intake


class PrivilegeChangeAuditTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        sign_in(self.client, self.admin)

    def save(self, **changes: object) -> None:
        url = f"/admin/accounts/user/{self.therapist.pk}/change/"
        response = self.client.post(url, user_change_data(self.therapist, **changes))
        assert response.status_code == 302, response.context["adminform"].form.errors

    def test_it_records_a_role_change_with_old_and_new(self) -> None:
        self.save(role=Role.ADMIN)

        event = AuditEvent.objects.get(action="user.privilege_change")
        assert event.actor == self.admin
        assert event.object_id == str(self.therapist.pk)
        assert event.detail == {"changed": {"role": ["therapist", "admin"]}}

    def test_it_records_deactivation_and_admin_flags(self) -> None:
        self.save(is_active=False, is_staff=True, is_superuser=True)

        event = AuditEvent.objects.get(action="user.privilege_change")
        assert event.detail == {
            "changed": {
                "is_active": [True, False],
                "is_staff": [False, True],
                "is_superuser": [False, True],
            }
        }

    def test_it_records_groups_by_id(self) -> None:
        group = Group.objects.create(name="Billing")

        self.save(groups=[group.pk])

        event = AuditEvent.objects.get(action="user.privilege_change")
        assert event.detail == {"changed": {"groups": [[], [group.pk]]}}

    def test_it_records_nothing_when_no_privilege_changes(self) -> None:
        self.save(first_name="Theodora")

        assert not AuditEvent.objects.filter(action="user.privilege_change").exists()

    def test_it_records_a_new_user(self) -> None:
        data = {
            "username": "newbie",
            "password1": "a-long-enough-passphrase-42",
            "password2": "a-long-enough-passphrase-42",
            "usable_password": "true",
            "role": Role.INTAKE,
            "first_name": "New",
            "last_name": "Person",
            "email": "newbie@pathways.example",
        }

        response = self.client.post("/admin/accounts/user/add/", data)

        assert response.status_code == 302, response.context["adminform"].form.errors
        event = AuditEvent.objects.get(action="user.create")
        assert event.detail["privileges"]["role"] == "intake"
        assert event.detail["privileges"]["is_superuser"] is False
