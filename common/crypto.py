"""Encryption at rest: the keys, and the one way a value is sealed and opened.

Free-text clinical fields (`common.fields`) and the e-mail outbox's bodies are
stored as Fernet tokens (AES-128-CBC with an HMAC-SHA256, from PyCA's
`cryptography`). The keys come from the environment, `FIELD_ENCRYPTION_KEYS`: a
list whose first key encrypts and every key decrypts (`MultiFernet`), so a key
is rotated by putting the new one first, running `manage.py rotate_field_key`,
then removing the old one. A value that no key opens raises `FieldDecryptionError`
rather than being shown as ciphertext or passed over: a wrong key fails loudly.

This module imports no Pathways app; the helpers that walk raw columns
(`columns_rewrite`) serve the data migrations and the rotation command.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Development and tests only: settings.py refuses it when PATHWAYS_MODE=production.
DEV_FIELD_ENCRYPTION_KEY = "cGF0aHdheXMtZGV2ZWxvcG1lbnQtb25seS1rZXkhISE="

# Every Fernet token starts with the version byte 0x80, "gAAAAA" in base64.
TOKEN_PREFIX = "gAAAAA"  # noqa: S105  # a format marker, not a secret


class FieldDecryptionError(RuntimeError):
    """A stored value that none of FIELD_ENCRYPTION_KEYS opens (a wrong or missing key)."""


def check_keys(keys: list[str], *, production: bool) -> None:
    """Refuse a key list that cannot encrypt, at start-up (called from settings.py)."""
    if not keys:
        raise ImproperlyConfigured("Set FIELD_ENCRYPTION_KEYS to at least one Fernet key")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            # Never echo the key itself: it is a secret.
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key {position} is not a Fernet key "
                "(32 url-safe base64-encoded bytes)"
            ) from None
    if len(set(keys)) != len(keys):
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS lists the same key twice")
    if production and DEV_FIELD_ENCRYPTION_KEY in keys:
        raise ImproperlyConfigured(
            "Set FIELD_ENCRYPTION_KEYS to your own keys: the development key is refused "
            "when PATHWAYS_MODE=production"
        )


@cache
def _fernets(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    return MultiFernet([Fernet(k) for k in keys]), Fernet(keys[0])


def _keys() -> tuple[MultiFernet, Fernet]:
    keys = tuple(getattr(settings, "FIELD_ENCRYPTION_KEYS", ()))
    if not keys:
        raise ImproperlyConfigured("Set FIELD_ENCRYPTION_KEYS to at least one Fernet key")
    return _fernets(keys)


def encrypt_str(value: str) -> str:
    """Seal `value` with the first key (a fresh IV each time: equal values differ)."""
    multi, _ = _keys()
    return multi.encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_str(token: str, *, where: str = "a value") -> str:
    """Open a token with any key; raise FieldDecryptionError naming `where` if none does."""
    multi, _ = _keys()
    try:
        return multi.decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError):
        # The value itself stays out of the message: it may be plaintext PHI.
        raise FieldDecryptionError(
            f"{where} cannot be decrypted with FIELD_ENCRYPTION_KEYS "
            "(a wrong key, a removed old key, or a row not yet encrypted)"
        ) from None


def is_encrypted(value: str) -> bool:
    """Whether any key opens `value` (used to encrypt plaintext rows exactly once)."""
    if not value.startswith(TOKEN_PREFIX):
        return False
    multi, _ = _keys()
    try:
        multi.decrypt(value.encode("ascii"))
    except (InvalidToken, UnicodeError):
        return False
    return True


def rotate_str(token: str) -> str | None:
    """The token re-sealed with the first key, or None when it already is."""
    multi, first = _keys()
    try:
        first.decrypt(token.encode("ascii"))
    except InvalidToken:
        try:
            return multi.rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken:
            raise FieldDecryptionError(
                "a stored value cannot be decrypted with any of FIELD_ENCRYPTION_KEYS"
            ) from None
    return None


# --- Raw columns: data migrations and key rotation ------------------------------


def _rows(
    connection: Any, table: str, pk: str, columns: list[str], batch: int
) -> Iterator[tuple[Any, ...]]:
    qn = connection.ops.quote_name
    select = ", ".join(qn(c) for c in [pk, *columns])
    last: Any = None
    while True:
        where = "" if last is None else f" WHERE {qn(pk)} > %s"
        params = [] if last is None else [last]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {select} FROM {qn(table)}{where} ORDER BY {qn(pk)} LIMIT {batch}",  # noqa: S608
                params,
            )
            rows = cursor.fetchall()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def columns_rewrite(
    connection: Any,
    *,
    table: str,
    pk: str,
    columns: list[str],
    change: Callable[[str], str | None],
    batch: int = 500,
) -> int:
    """Apply `change` to every non-empty value of `columns`, in place, with raw SQL.

    `change` returns the new value, or None to leave the value alone. Each update
    is compare-and-set on the value read, so a row written meanwhile is not
    overwritten with a stale value. Raw SQL on purpose: it reads what is really
    stored (plaintext before a migration) and passes no model's save(). Returns
    the number of values changed.
    """
    qn = connection.ops.quote_name
    changed = 0
    for row in _rows(connection, table, pk, columns, batch):
        for column, value in zip(columns, row[1:], strict=True):
            if value is None or value == "":
                continue
            new = change(str(value))
            if new is None or new == value:
                continue
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {qn(table)} SET {qn(column)} = %s "  # noqa: S608
                    f"WHERE {qn(pk)} = %s AND {qn(column)} = %s",
                    [new, row[0], value],
                )
            changed += 1
    return changed


def encrypt_if_plain(value: str) -> str | None:
    """For a data migration: the encrypted value, or None when it already is."""
    return None if is_encrypted(value) else encrypt_str(value)


def decrypt_if_sealed(value: str) -> str | None:
    """For a reverse migration: the plaintext, or None when the value is plain."""
    return decrypt_str(value) if is_encrypted(value) else None


def _rewrite_model(
    apps: Any,
    schema_editor: Any,
    label: str,
    fields: list[str],
    change: Callable[[str], str | None],
) -> None:
    model = apps.get_model(label)
    meta = model._meta
    columns_rewrite(
        schema_editor.connection,
        table=meta.db_table,
        pk=meta.pk.column,
        columns=[meta.get_field(name).column for name in fields],
        change=change,
    )


def encrypt_columns(label: str, fields: list[str]) -> Any:
    """A migration operation that encrypts the existing rows of `fields` in place.

    `label` is "app_label.ModelName". Put it after the AlterField operations that
    make the fields encrypted; reversed, it decrypts them again.
    """
    from django.db import migrations

    def forward(apps: Any, schema_editor: Any) -> None:
        _rewrite_model(apps, schema_editor, label, fields, encrypt_if_plain)

    def backward(apps: Any, schema_editor: Any) -> None:
        _rewrite_model(apps, schema_editor, label, fields, decrypt_if_sealed)

    return migrations.RunPython(forward, backward, elidable=False)


# --- Start-up check: does the key open what is stored? ---------------------------


def check_stored_values(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[Any]:
    """A database system check: the newest stored token of every encrypted column opens.

    Registered with the `database` tag (notifications.apps), so `manage.py migrate`
    and `manage.py check --database default` stop with an error when
    FIELD_ENCRYPTION_KEYS lacks the key the data was written with. A column whose
    values are still plaintext (its migration not yet applied) is passed over.
    """
    from django.apps import apps
    from django.core import checks
    from django.db import DatabaseError, connections

    from common.fields import EncryptedMixin

    errors: list[Any] = []
    for alias in databases or ():
        connection = connections[alias]
        qn = connection.ops.quote_name
        for model in apps.get_models():
            meta = model._meta
            for field in meta.concrete_fields:
                if not isinstance(field, EncryptedMixin):
                    continue
                col, table, pk = qn(str(field.column)), qn(meta.db_table), qn(str(meta.pk.column))
                try:
                    with connection.cursor() as cursor:
                        cursor.execute(
                            f"SELECT {col} FROM {table} WHERE {col} LIKE %s "  # noqa: S608
                            f"ORDER BY {pk} DESC LIMIT 1",
                            [TOKEN_PREFIX + "%"],
                        )
                        row = cursor.fetchone()
                except DatabaseError:
                    continue  # not migrated yet
                if row is not None and not is_encrypted(str(row[0])):
                    errors.append(
                        checks.Error(
                            f"{meta.label}.{field.name} cannot be decrypted with "
                            "FIELD_ENCRYPTION_KEYS.",
                            hint="Set FIELD_ENCRYPTION_KEYS to the keys the data was "
                            "encrypted with (the old key stays until rotate_field_key ran).",
                            id="pathways.E901",
                        )
                    )
    return errors
