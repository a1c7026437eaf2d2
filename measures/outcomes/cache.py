"""The practice outcomes report, kept in the process until what it reads changes
(issue 14: the report under 1 s at 10,000 clients).

Worked out in the database (`measures.outcomes.aggregate`), the report still takes
about half a second at 10,000 clients, and its page and its chart picture each need it.
What it reads changes far less often than it is opened. So `outcomes` reads one row
first, the token of `measures.models.OutcomesDataVersion`, which database triggers
change at every insert, update and delete of a score, an instrument, a course, a
session, a dosing record or an administration (migration measures/0008). A result
worked out under the same token, for the same range and the same settings, is the
same result, and is handed back without asking the database again.

- The token is read before the report's own reads: a change committed between them
  makes the kept result newer than its token, never older, and the next request
  works it out again.
- No token row (a database emptied by the test suite, before the first score): the
  report is worked out every time.
- The result is kept in this process's memory only, as the pictures are
  (`common.pictures`): it names clients by id, and it never leaves the process or the
  database. Not in the pictures' cache itself: a LocMemCache pickles what it keeps, and
  this result is 8.7 MB of objects at 10,000 clients, read back on every request. The
  two ranges asked for last are kept.
- Any setting changed at run time (a test's override_settings) drops what is kept.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.core.signals import setting_changed
from django.dispatch import receiver

from measures.models import OutcomesDataVersion
from measures.outcomes.build import Outcomes

# Ranges kept per process: each result is 8.7 MB at 10,000 clients (tracemalloc), and
# a worker stays under 200 MB with two (issue 14 §3).
KEPT_RANGES = 2

_lock = threading.Lock()
_kept: OrderedDict[tuple[dt.date, dt.date], tuple[Hashable, Outcomes]] = OrderedDict()


def data_version() -> int | None:
    """The token that changes with everything the report reads; None: no row yet."""
    return OutcomesDataVersion.objects.values_list("token", flat=True).first()


def kept_outcomes(
    *, start: dt.date, end: dt.date, settings_used: Hashable, compute: Callable[[], Outcomes]
) -> Outcomes:
    """The report for [start, end]: kept while the data version and `settings_used` (the
    range's instants and the denominator settings) are those it was worked out under."""
    token = data_version()
    if token is None:
        return compute()
    fingerprint = (token, settings_used)
    key = (start, end)
    with _lock:
        kept = _kept.get(key)
        if kept is not None and kept[0] == fingerprint:
            _kept.move_to_end(key)
            return kept[1]
    result = compute()
    with _lock:
        _kept[key] = (fingerprint, result)
        _kept.move_to_end(key)
        while len(_kept) > KEPT_RANGES:
            _kept.popitem(last=False)
    return result


def forget() -> None:
    """Drop every kept result."""
    with _lock:
        _kept.clear()


@receiver(setting_changed)
def _settings_changed(**_kwargs: object) -> None:
    forget()
