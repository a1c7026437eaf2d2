"""An authenticator's secret is encrypted at rest (issue 10 §3; accounts.Authenticator):
no table holds it in clear, the key rotation re-seals it, sign-in works after the
rotation, and the migration moved django-otp's TOTPDevice rows across with their
secrets."""

from __future__ import annotations

import base64
import io
from datetime import timedelta
from typing import Any

import django_otp
import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.apps.registry import Apps
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.models import Authenticator, Role
from accounts.tests.support import code_for, sign_in
from common.crypto import DEV_FIELD_ENCRYPTION_KEY
from pathways.testing import BaseTestCase

NEW_KEY = Fernet.generate_key().decode()


def raw_key(device: Authenticator) -> str:
    """What the database really holds in the device's key column."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM accounts_authenticator WHERE id = %s", [device.pk])
        row = cursor.fetchone()
    assert row is not None
    return str(row[0])


def clear_forms(device: Authenticator) -> list[str]:
    """The secret as anyone could use it: hex (as otp_totp stored it) and base32 (as
    an authenticator app takes it), in both cases."""
    b32 = base64.b32encode(device.bin_key).decode()
    return [device.key.lower(), device.key.upper(), b32, b32.lower()]


def every_stored_value() -> list[tuple[str, Any]]:
    """(table, value) for every value of every row of every table."""
    found: list[tuple[str, Any]] = []
    qn = connection.ops.quote_name
    for table in connection.introspection.table_names():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {qn(table)}")  # noqa: S608  # names from introspection
            for row in cursor.fetchall():
                found.extend((table, value) for value in row if value is not None)
    return found


class AuthenticatorAtRestTestCase(BaseTestCase):
    def enrol(self) -> Authenticator:
        """Set up an authenticator through the pages, as a user does."""
        sign_in(self.client, self.intake)
        self.client.get("/staff/two-factor/")
        device = Authenticator.objects.get(user=self.intake)
        response = self.client.post("/staff/two-factor/", {"token": code_for(device)})
        assert response.status_code == 302
        device.refresh_from_db()
        assert device.confirmed
        return device

    def test_it_stores_no_secret_in_clear_in_any_table(self) -> None:
        devices = [
            self.enrol(),
            Authenticator.objects.create(user=self.admin, name="phone", confirmed=True),
            Authenticator.objects.create(user=self.therapist, name="new", confirmed=False),
        ]

        stored = every_stored_value()

        assert any(table == "accounts_authenticator" for table, _ in stored)
        for device in devices:
            for table, value in stored:
                if isinstance(value, bytes | memoryview):
                    assert device.bin_key not in bytes(value), table
                else:
                    for secret in clear_forms(device):
                        assert secret not in str(value), table
            # What is there is a Fernet token under the key in use, of the hex key.
            token = raw_key(device)
            assert Fernet(DEV_FIELD_ENCRYPTION_KEY).decrypt(token).decode() == device.key

    def test_it_keeps_no_other_kind_of_device(self) -> None:
        # django-otp walks every Device model of the installed apps (devices_for_user,
        # match_token, OTPMiddleware): otp_totp's TOTPDevice would keep its key in clear.
        assert list(django_otp.device_classes()) == [Authenticator]
        assert not apps.is_installed("django_otp.plugins.otp_totp")

    def test_it_asks_for_a_code_again_in_a_session_verified_by_an_old_totp_device(self) -> None:
        # After the migration, a session signed in before it names otp_totp's device.
        device = Authenticator.objects.create(user=self.intake, name="phone", confirmed=True)
        sign_in(self.client, self.intake, device)
        session = self.client.session
        session[DEVICE_ID_SESSION_KEY] = f"otp_totp.totpdevice/{device.pk}"
        session.save()

        response = self.client.get("/staff/requests/")

        assert response.status_code == 302
        assert response["Location"].startswith("/staff/sign-in/verify/")

    def test_it_refuses_to_search_by_the_secret(self) -> None:
        device = Authenticator.objects.create(user=self.intake, name="phone")

        for lookup in ("key", "key__startswith", "key__icontains"):
            with self.subTest(lookup=lookup), pytest.raises(FieldError, match="encrypted"):
                list(Authenticator.objects.filter(**{lookup: device.key[:8]}))

    def test_it_does_not_rewrite_the_secret_when_a_code_is_checked(self) -> None:
        device = Authenticator.objects.create(user=self.intake, name="phone")
        before = raw_key(device)

        code = code_for(device)
        assert device.verify_token(code)
        assert not device.verify_token(code)  # a code is never accepted twice

        device.refresh_from_db()
        assert raw_key(device) == before
        assert device.last_t > -1
        assert device.throttling_failure_count == 1

    def test_it_re_encrypts_the_secret_on_rotation_and_still_signs_in(self) -> None:
        device = Authenticator.objects.create(user=self.intake, name="phone", confirmed=True)
        before = raw_key(device)
        out = io.StringIO()

        with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, DEV_FIELD_ENCRYPTION_KEY]):
            call_command("rotate_field_key", stdout=out)

        assert "accounts.Authenticator: 1 value(s) re-encrypted" in out.getvalue()
        after = raw_key(device)
        assert after != before
        assert Fernet(NEW_KEY).decrypt(after).decode() == device.key
        with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
            # The old key is gone: the device is read and its code accepted with the new one.
            sign_in(self.client, self.intake, Authenticator.objects.get(pk=device.pk))
            assert self.client.get("/staff/requests/").status_code == 200


# --- The migration from django-otp's TOTPDevice --------------------------------------

BEFORE = [("accounts", "0006_user_sessions_revoked_at")]
AFTER = [("accounts", "0007_authenticator")]
LEGACY_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test secret, in hex


def legacy_device_model() -> type[models.Model]:
    """otp_totp's TOTPDevice table as django-otp 1.7's migrations (0001 to 0003) leave it.

    otp_totp is no longer installed, so its migrations cannot be run: the table is made
    from this copy of its columns, in a registry of its own."""
    registry = Apps()

    class LegacyDevice(models.Model):
        user_id = models.IntegerField()
        name = models.CharField(max_length=64)
        confirmed = models.BooleanField(default=True)
        key = models.CharField(max_length=80)
        step = models.PositiveSmallIntegerField(default=30)
        t0 = models.BigIntegerField(default=0)
        digits = models.PositiveSmallIntegerField(default=6)
        tolerance = models.PositiveSmallIntegerField(default=1)
        drift = models.SmallIntegerField(default=0)
        last_t = models.BigIntegerField(default=-1)
        throttling_failure_timestamp = models.DateTimeField(null=True)
        throttling_failure_count = models.PositiveIntegerField(default=0)
        created_at = models.DateTimeField(null=True)
        last_used_at = models.DateTimeField(null=True)

        class Meta:
            app_label = "otp_totp"
            db_table = "otp_totp_totpdevice"
            apps = registry

        def __str__(self) -> str:
            return self.name

    return LegacyDevice


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_each_device_with_its_secret_encrypted() -> None:
    executor = MigrationExecutor(connection)
    legacy = legacy_device_model()
    try:
        executor.migrate(BEFORE)
        old_user = executor.loader.project_state(BEFORE).apps.get_model("accounts", "User")
        casey = old_user.objects.create(username="casey", role=Role.INTAKE)
        enrolled = timezone.now() - timedelta(days=30)
        with connection.schema_editor() as editor:
            editor.create_model(legacy)
        legacy.objects.create(  # type: ignore[attr-defined]  # a model made at run time
            user_id=casey.pk,
            name="Casey's phone",
            key=LEGACY_KEY,
            drift=1,
            last_t=7,
            created_at=enrolled,
        )
        legacy.objects.create(user_id=casey.pk, name="pending", key="ab" * 20, confirmed=False)  # type: ignore[attr-defined]  # a model made at run time
        MigrationRecorder(connection).record_applied("otp_totp", "0003_add_timestamps")

        executor.loader.build_graph()
        executor.migrate(AFTER)

        # The model as it stands at AFTER (a later migration may change the table).
        moved = executor.loader.project_state(AFTER).apps.get_model("accounts", "Authenticator")
        rows = list(moved.objects.order_by("id"))
        assert [(d.user_id, d.name, d.confirmed) for d in rows] == [
            (casey.pk, "Casey's phone", True),
            (casey.pk, "pending", False),
        ]
        phone = rows[0]
        assert (phone.key, phone.drift, phone.last_t) == (LEGACY_KEY, 1, 7)
        assert phone.created_at == enrolled
        with connection.cursor() as cursor:
            cursor.execute("SELECT key FROM accounts_authenticator")
            stored = [str(value) for (value,) in cursor.fetchall()]
        assert all(value.startswith("gAAAAA") for value in stored)
        assert not any(LEGACY_KEY in value or "ab" * 20 in value for value in stored)
        # Nothing of the old table is left, nor otp_totp's record of its migrations.
        assert "otp_totp_totpdevice" not in connection.introspection.table_names()
        assert not MigrationRecorder(connection).migration_qs.filter(app="otp_totp").exists()

        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        # The moved device signs in: its code is accepted, with the drift it had.
        device = Authenticator.objects.get(name="Casey's phone")
        assert device.verify_token(code_for(device))
    finally:
        if "otp_totp_totpdevice" in connection.introspection.table_names():
            with connection.schema_editor() as editor:
                editor.delete_model(legacy)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
