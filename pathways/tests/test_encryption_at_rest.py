"""Free-text clinical fields and authenticator secrets are encrypted at rest
(issue 10 §3; common.fields).

The demo practice fills nearly every encrypted field; the few it leaves empty are
filled here. Raw SQL then reads what is really stored.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.exceptions import FieldError
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Model
from django.test import override_settings
from django.utils import timezone

from accounts.models import Authenticator, User
from amendments.models import AmendmentRequest
from bls.models import DesensitisationSet
from common.crypto import (
    DEV_FIELD_ENCRYPTION_KEY,
    FieldDecryptionError,
    check_stored_values,
    encrypt_columns,
    encrypt_str,
)
from common.fields import encrypted_fields
from dosing.models import Addendum, Discharge, DosingRecord, PrescriberContact, SessionNote
from intake.models import AppointmentRequest, RequestNote, StatusChange
from notifications.models import OutboundEmail
from pathways.testing import BaseTestCase, assert_refused
from pathways.testing import import_settings as import_settings_with
from treatment.models import TreatmentSession
from website.models import Service

BASE_DIR = Path(__file__).resolve().parents[2]
NEW_KEY = Fernet.generate_key().decode()

# What is encrypted: changing a field back to plain text fails here.
ENCRYPTED = {
    "accounts.Authenticator": ["key"],
    "amendments.AmendmentRequest": [
        "requested_change",
        "extension_reason",
        "decision_note",
        "disagreement",
        "rebuttal",
    ],
    "bls.DesensitisationSet": ["client_report", "interweave"],
    "bls.EmdrRecord": [
        "target_memory",
        "image",
        "negative_cognition",
        "positive_cognition",
        "emotions",
        "body_location",
        "body_scan",
        "closure_reason",
    ],
    "clients.BreakGlassGrant": ["reason"],
    "dosing.Addendum": ["text"],
    "dosing.AdverseEvent": ["description", "action_taken"],
    "dosing.Discharge": ["exception_reason"],
    "dosing.DosingRecord": ["intention", "risk_check_note"],
    "dosing.PrescriberContact": ["instruction"],
    "dosing.SessionNote": ["data", "assessment", "plan"],
    "dosing.VitalSigns": ["notes"],
    "intake.AppointmentRequest": ["reason"],
    "intake.ContactMessage": ["message"],
    "intake.RequestNote": ["body"],
    "intake.StatusChange": ["reason"],
    "measures.SafetyAlert": ["action_note"],
    "notifications.OutboundEmail": ["body"],
    "treatment.TreatmentCourse": ["goals"],
    "treatment.TreatmentSession": ["cancel_reason"],
}


def raw_values(model: type[Model], name: str) -> dict[Any, str]:
    """{pk: what the column really holds} for the non-empty values of one field."""
    meta = model._meta
    qn = connection.ops.quote_name
    column = qn(str(meta.get_field(name).column))  # type: ignore[union-attr]  # a concrete field
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {qn(str(meta.pk.column))}, {column} FROM {qn(meta.db_table)} "  # noqa: S608
            f"WHERE {column} IS NOT NULL AND {column} <> ''"
        )
        return dict(cursor.fetchall())


def plain_values() -> dict[tuple[str, Any, str], str]:
    """{(model, pk, field): the value the ORM reads} for every encrypted value."""
    values = {}
    for model, names in encrypted_fields():
        for pk, *row in model._default_manager.values_list("pk", *names):
            for name, value in zip(names, row, strict=True):
                if value:
                    values[(model._meta.label, pk, name)] = value
    return values


def fill_the_rest() -> None:
    """Fill the encrypted fields the demo practice leaves empty."""
    author = User.objects.get(username="therapist")
    note = SessionNote.objects.first()
    assert note is not None
    Addendum.objects.create(note=note, text="Client called after: sleeping well.", author=author)
    request = AppointmentRequest.objects.first()
    assert request is not None
    RequestNote.objects.create(request=request, author=author, body="Asked about evening slots.")
    StatusChange.objects.create(
        request=request,
        from_status="new",
        to_status="declined",
        changed_by=author,
        reason="Outside our area.",
    )
    TreatmentSession.objects.filter(pk__in=TreatmentSession.objects.values("pk")[:1]).update(
        cancel_reason="Client unwell."
    )
    record = DosingRecord.objects.first()
    assert record is not None
    PrescriberContact.objects.create(
        record=record,
        contacted_at=timezone.now(),
        prescriber_name="Dr. Example",
        instruction="Proceed at the same dose.",
        proceed=True,
        recorded_by=author,
    )
    Discharge.objects.filter(pk__in=Discharge.objects.values("pk")[:1]).update(
        exception_reason="Escort arrived late; waited with staff."
    )
    DesensitisationSet.objects.filter(pk__in=DesensitisationSet.objects.values("pk")[:1]).update(
        interweave="What would you say to your younger self?"
    )
    OutboundEmail.objects.create(to="a@example.com", subject="Hello", body="A pending body")
    # The demo users have no authenticator: each would then need a code to sign in.
    Authenticator.objects.create(user=author, name="Authenticator app")
    AmendmentRequest.objects.filter(pk__in=AmendmentRequest.objects.values("pk")[:1]).update(
        extension_reason="The note's author is away until next week."
    )


class EncryptionAtRestTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # seed_demo only seeds a practice without its demo users: start empty.
        User.objects.all().delete()
        Service.objects.all().delete()
        call_command("seed_demo", stdout=io.StringIO())
        fill_the_rest()

    def test_it_encrypts_the_listed_fields(self) -> None:
        found = {model._meta.label: names for model, names in encrypted_fields()}

        assert found == ENCRYPTED

    def test_it_stores_only_tokens_that_read_back_as_the_text(self) -> None:
        plain = plain_values()
        filled = {(label, name) for label, _, name in plain}

        assert filled == {(label, n) for label, names in ENCRYPTED.items() for n in names}
        for model, names in encrypted_fields():
            for name in names:
                for pk, raw in raw_values(model, name).items():
                    value = plain[(model._meta.label, pk, name)]
                    assert raw.startswith("gAAAAA"), (model, name)
                    assert value not in raw
                    assert Fernet(DEV_FIELD_ENCRYPTION_KEY).decrypt(raw).decode() == value

    def test_it_uses_a_fresh_iv_for_equal_values(self) -> None:
        assert encrypt_str("Same note") != encrypt_str("Same note")

    def test_it_refuses_to_search_an_encrypted_field(self) -> None:
        for lookup in ("reason", "reason__icontains", "reason__startswith", "reason__lower"):
            with pytest.raises(FieldError, match="encrypted"):
                list(AppointmentRequest.objects.filter(**{lookup: "anxiety"}))

        # Empty or not is the one question an encrypted column answers.
        # Every demo request has a reason.
        total = AppointmentRequest.objects.count()
        assert total > 0
        assert AppointmentRequest.objects.exclude(reason="").count() == total
        assert AppointmentRequest.objects.filter(reason__isnull=True).count() == 0

    def test_it_fails_loudly_when_the_key_is_wrong(self) -> None:
        assert check_stored_values(databases=["default"]) == []

        with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
            with pytest.raises(FieldDecryptionError, match=r"intake\.AppointmentRequest\.reason"):
                list(AppointmentRequest.objects.all())
            errors = check_stored_values(databases=["default"])

        assert {e.id for e in errors} == {"pathways.E901"}
        assert len(errors) == sum(len(names) for names in ENCRYPTED.values())

    def test_it_rotates_to_a_new_key_so_that_the_old_one_can_go(self) -> None:
        before = plain_values()
        out = io.StringIO()

        with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, DEV_FIELD_ENCRYPTION_KEY]):
            call_command("rotate_field_key", stdout=out)
            again = io.StringIO()
            call_command("rotate_field_key", stdout=again)

        assert f"Re-encrypted {len(before)} value(s)" in out.getvalue()
        assert "Re-encrypted 0 value(s)" in again.getvalue()
        with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
            assert plain_values() == before
            assert check_stored_values(databases=["default"]) == []
        with pytest.raises(FieldDecryptionError):
            plain_values()  # the development key alone no longer opens anything

    def test_it_changes_nothing_when_a_value_cannot_be_rotated(self) -> None:
        before = raw_values(AppointmentRequest, "reason")

        with (
            override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]),
            pytest.raises(CommandError, match="Nothing was changed"),
        ):
            call_command("rotate_field_key", stdout=io.StringIO())

        assert raw_values(AppointmentRequest, "reason") == before

    def test_it_encrypts_the_rows_a_migration_finds_in_plain_text(self) -> None:
        before = plain_values()
        with connection.cursor() as cursor:
            for pk, value in AppointmentRequest.objects.values_list("pk", "reason"):
                cursor.execute(
                    "UPDATE intake_appointmentrequest SET reason = %s WHERE id = %s", [value, pk]
                )
        operation = encrypt_columns("intake.AppointmentRequest", ["reason"])

        # The operation only reads the schema editor's connection.
        editor = SimpleNamespace(connection=connection)

        operation.code(apps, editor)
        operation.code(apps, editor)  # twice: a token is not encrypted again

        assert plain_values() == before
        assert all(
            raw.startswith("gAAAAA") for raw in raw_values(AppointmentRequest, "reason").values()
        )

        assert operation.reverse_code is not None
        operation.reverse_code(apps, editor)
        plain = {v for (label, _, _), v in before.items() if label == "intake.AppointmentRequest"}
        assert set(raw_values(AppointmentRequest, "reason").values()) == plain


# --- Start-up in production mode -------------------------------------------------

PRINT = "import pathways.settings as s; print(len(s.FIELD_ENCRYPTION_KEYS))"
PRODUCTION = {
    "PATHWAYS_MODE": "production",
    "SECRET_KEY": "k3Jd9-zQ1v_Lr8pXw2Ty6Nb4Hc7Mf0Gs5Ae1Ui9Oo3Pl2Kj6Hg8Fd4Sa7Zx",
    "ALLOWED_HOSTS": "pathways.example",
    "DATABASE_URL": "postgres://pathways@db.internal:5432/pathways",
}


def import_settings(**env: str) -> subprocess.CompletedProcess[str]:
    return import_settings_with(PRINT, **env)


class EncryptionKeySettingsTestCase(BaseTestCase):
    def assert_refused(self, result: subprocess.CompletedProcess[str], message: str) -> None:
        assert_refused(result, message)

    def test_it_starts_in_production_with_its_own_keys(self) -> None:
        result = import_settings(
            **PRODUCTION, FIELD_ENCRYPTION_KEYS=f"{NEW_KEY}, {Fernet.generate_key().decode()}"
        )

        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["2"]

    def test_it_refuses_production_without_keys(self) -> None:
        self.assert_refused(import_settings(**PRODUCTION), "development key is refused")
        self.assert_refused(
            import_settings(**PRODUCTION, FIELD_ENCRYPTION_KEYS=""), "at least one Fernet key"
        )

    def test_it_refuses_the_development_key_in_production_even_as_an_old_key(self) -> None:
        keys = f"{NEW_KEY},{DEV_FIELD_ENCRYPTION_KEY}"

        self.assert_refused(
            import_settings(**PRODUCTION, FIELD_ENCRYPTION_KEYS=keys), "development key is refused"
        )

    def test_it_refuses_a_malformed_key_without_printing_it(self) -> None:
        result = import_settings(**PRODUCTION, FIELD_ENCRYPTION_KEYS="not-a-real-key-s3cr3t")

        self.assert_refused(result, "key 1 is not a Fernet key")
        assert "s3cr3t" not in result.stderr

    def test_it_refuses_the_same_key_twice(self) -> None:
        keys = f"{NEW_KEY},{NEW_KEY}"

        self.assert_refused(
            import_settings(**PRODUCTION, FIELD_ENCRYPTION_KEYS=keys), "the same key twice"
        )

    def test_it_uses_the_development_key_in_development(self) -> None:
        result = import_settings()

        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["1"]
