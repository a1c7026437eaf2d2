"""Client search: one box that understands names, dates of birth, phones and e-mails."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.db.models.functions import Reverse

from clients import name_index
from clients.models import Client


def _as_date(text: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date, no time)
        except ValueError:
            continue
    return None


def search_clients(qs: QuerySet[Client], query: str) -> QuerySet[Client]:
    query = query.strip()
    if not query:
        return qs
    if (day := _as_date(query)) is not None:
        return qs.filter(date_of_birth=day)
    if "@" in query:
        return qs.filter(email__icontains=query)
    digits = "".join(c for c in query if c.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]  # a North American number written with its country code
    if len(digits) >= 4 and len(digits) >= len(query.replace(" ", "")) // 2:
        # A part of the number is a part of it reversed: written on the reversed digits,
        # the lookup reads the trigram index of migration 0008 on PostgreSQL, and that
        # index does not capture the inbox's equality on the digits (see there).
        return qs.alias(phone_reversed=Reverse("phone_digits")).filter(
            phone_reversed__contains=digits[::-1]
        )
    words = query.split()
    # On SQLite, the clients whose names hold the longer words, from the trigram index
    # (clients.name_index): a superset, filtered below as before, so the same clients.
    if (holding := name_index.names_holding(words)) is not None and name_index.ready(qs.db):
        qs = qs.filter(pk__in=holding)
    # Every word must match some part of the name.
    for word in words:
        qs = qs.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(preferred_name__icontains=word)
        )
    return qs
