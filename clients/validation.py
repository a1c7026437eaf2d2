"""Checks of the values a client record (or a request for one) holds.

The forms use them to put a message beside the field; the services use them again,
so that a caller that skips the form cannot store what the form would refuse.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils import timezone

PHONE_MESSAGE = "Enter a phone number with area code, e.g. (555) 010-0123."


def check_phone(value: str) -> str:
    """The number without surrounding spaces; empty stays empty (say so where one is
    required). A number has 7 to 15 digits (E.164 allows at most 15)."""
    value = value.strip()
    if value and not 7 <= sum(c.isdigit() for c in value) <= 15:
        raise ValidationError(PHONE_MESSAGE)
    return value


def check_state(value: str) -> str:
    state = value.strip().upper()
    if state and not (len(state) == 2 and state.isalpha()):
        raise ValidationError("Use the two-letter abbreviation, e.g. VA.")
    return state


def check_date_of_birth(dob: dt.date | None) -> dt.date | None:
    if dob and not dt.date(1900, 1, 1) <= dob <= timezone.localdate():
        raise ValidationError("Enter a date of birth between 1900 and today.")
    return dob


def first_problem(obj: models.Model, exclude: tuple[str, ...] = ()) -> tuple[str | None, str]:
    """The first thing Django's model validation (required values, lengths, choices,
    validators, constraints) refuses in `obj`, as (field or None, message), or
    (None, "") when there is nothing."""
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        return (None if field == NON_FIELD_ERRORS else field), messages[0]
    # A TextField's max_length reaches the form, not the model's validation.
    for f in obj._meta.fields:
        value = getattr(obj, f.attname)
        if isinstance(f, models.TextField) and f.max_length and len(value or "") > f.max_length:
            return f.name, (
                f"Ensure this value has at most {f.max_length} characters (it has {len(value)})."
            )
    return None, ""
