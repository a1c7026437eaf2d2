"""Model fields whose values are stored encrypted (`common.crypto`).

`EncryptedTextField` and `EncryptedCharField` read and write plain `str` in
Python and forms (a CharField keeps its one-line input and its `max_length`,
checked on the plaintext) and store a Fernet token in a `text` column. An empty
value stays empty (the column is NOT NULL and "no note" is no secret); NULL stays
NULL.

An encrypted column cannot be searched: each write uses a fresh IV, so equal
values differ in the database. Any lookup other than `isnull` and an `exact`
match on the empty string raises FieldError, loudly, instead of finding nothing.
Ordering by such a field orders by ciphertext: do not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact, IsNull, Lookup, Transform

from common.crypto import decrypt_str, encrypt_str

if TYPE_CHECKING:
    from django.db.models.expressions import Combinable

    _TextField = models.TextField[str | Combinable, str]
    _CharField = models.CharField[str | int | Combinable, str]
else:
    _TextField = models.TextField
    _CharField = models.CharField


class EmptyExact(Exact):
    """`field=""` (and `exclude(field="")`): the one comparison ciphertext allows."""

    def get_prep_lookup(self) -> Any:
        if self.rhs != "":
            raise FieldError(
                f"{self.lhs.output_field.name} is encrypted at rest and cannot be searched"
            )
        return ""


class EncryptedMixin:
    """Encrypts in get_prep_value, decrypts in from_db_value; see the module doc."""

    name: str
    model: Any

    def get_internal_type(self) -> str:
        # A token is longer than its plaintext: every encrypted field is a text column.
        return "TextField"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)  # type: ignore[misc]  # the Field this is mixed into
        if value is None or value == "":
            return value
        return encrypt_str(str(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        where = f"{self.model._meta.label}.{self.name}" if hasattr(self, "model") else self.name
        return decrypt_str(value, where=where)

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        if lookup_name == "isnull":
            return IsNull
        if lookup_name == "exact":
            return EmptyExact
        raise FieldError(f"{self.name} is encrypted at rest and cannot be searched")

    def get_transform(self, lookup_name: str) -> type[Transform] | None:
        raise FieldError(f"{self.name} is encrypted at rest and cannot be searched")


class EncryptedTextField(EncryptedMixin, _TextField):
    """A TextField stored encrypted."""


class EncryptedCharField(EncryptedMixin, _CharField):
    """A one-line CharField stored encrypted in a text column (max_length checks the plaintext)."""


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every installed model with encrypted fields, and the names of those fields."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)]
        if names:
            found.append((model, names))
    return found
