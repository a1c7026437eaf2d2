"""The bulk seed's two processes (`_bulk_split`): the child builds and sends, this one
inserts, in order, in its own transaction; a failure on either side leaves nothing.
And the seed's own datetime adapter, which must write what the connection's writes.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.test import TestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from pathways.management.commands._bulk_common import Tables, datetime_adapter
from pathways.management.commands._bulk_split import BuildFailedError, in_two_processes
from scheduling.models import Room, WorkingHours


class SplitTestCase(TestCase):
    def test_it_inserts_what_the_child_sends_in_order_and_returns_its_result(self) -> None:
        tables = Tables()
        rooms = tables[Room]
        said: list[str] = []

        def build(tell: Callable[[str], None]) -> int:
            for number in range(3):
                rooms.add(name=f"Room {number}", feed_label="", active=True)
                rooms.flush()  # one batch each: the order they arrive in is the order sent
            tell("three rooms made")
            return os.getpid()

        built_in = in_two_processes(tables.writer, build, said.append)

        assert built_in != os.getpid()  # the rows were made in another process
        names = list(Room.objects.order_by("pk").values_list("name", flat=True))
        assert names == ["Room 0", "Room 1", "Room 2"]
        assert said == ["three rooms made"]
        # This process's writer still inserts here (only the child's sends).
        assert not tables.writer.remote

    def test_it_raises_the_childs_error_and_nothing_it_sent_stays(self) -> None:
        tables = Tables()
        rooms = tables[Room]

        def build(tell: Callable[[str], None]) -> None:
            rooms.add(name="Room A", feed_label="", active=True)
            rooms.flush()
            raise ValueError("a score out of its range")

        with (
            self.assertRaisesRegex(BuildFailedError, "a score out of its range"),
            transaction.atomic(),
        ):
            in_two_processes(tables.writer, build, print)
        assert not Room.objects.exists()

    def test_it_refuses_a_new_table_in_the_child(self) -> None:
        # Making a table reads the database: the child never does.
        tables = Tables()
        tables[Room]

        def build(tell: Callable[[str], None]) -> None:
            tables[WorkingHours]

        with self.assertRaisesRegex(BuildFailedError, "before the split"):
            in_two_processes(tables.writer, build, print)

    def test_it_stops_the_child_when_an_insert_here_fails(self) -> None:
        tables = Tables()
        rooms = tables[Room]
        said: list[str] = []
        survived = Path(tempfile.mkdtemp()) / "survived"

        def build(tell: Callable[[str], None]) -> None:
            tell(str(os.getpid()))
            rooms.add(name="Room A", feed_label="", active=True)
            rooms.add(name="Room A", feed_label="", active=True)  # the name is unique
            rooms.flush()
            # Still building long after the insert failed, unless stopped.
            for _ in range(2000):
                time.sleep(0.01)
            survived.touch()

        with self.assertRaises(IntegrityError), transaction.atomic():
            in_two_processes(tables.writer, build, said.append)
        assert not Room.objects.exists()
        assert not survived.exists()  # killed, not waited for
        # And reaped: waitpid raises for a process that is not a child any more.
        with self.assertRaises(ChildProcessError):
            os.waitpid(int(said[0]), os.WNOHANG)


@settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(
        min_value=dt.datetime(1900, 1, 1),  # noqa: DTZ001  (hypothesis adds the zone)
        max_value=dt.datetime(9998, 12, 31),  # noqa: DTZ001
        timezones=st.sampled_from(
            [ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata"), dt.UTC]
        ),
    )
)
def test_it_sends_a_time_as_the_connections_own_adapter_does(moment: dt.datetime) -> None:
    # The seed's quicker adapter (_bulk_common.datetime_adapter) writes the same text:
    # SQLite compares times as text, so "…13:00:00" and "…13:00:00.000000" would differ.
    assert datetime_adapter()(moment) == connection.ops.adapt_datetimefield_value(moment)
    assert datetime_adapter()(None) is None
