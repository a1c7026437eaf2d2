"""The calendar's time grid: columns (days of a week, or clinicians or rooms side by
side on one day) of 15-minute rows, each appointment a block placed by its start
and sized by its length (CSS classes `cal-r<row>` and `cal-s<span>`, since the CSP
allows no inline style), and a link to book in each free half hour.

The grid shows at least 08:00–19:00, widened to the hours its appointments take.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe

from accounts.models import User
from common.reversing import Reverser
from common.rows import label, rows
from common.template_badges import status_badge
from common.template_dates import time as time_filter
from scheduling.models import Appointment, AppointmentStatus, Room

FIRST_HOUR, LAST_HOUR = 8, 19  # the grid always shows at least 08:00–19:00
ROW_MINUTES = 15
SLOT_MINUTES = 30  # a link to book in each free half hour
MAX_LANES = 3  # appointments drawn side by side in one column (overlaps: a no-show)


def _tz() -> Any:
    return timezone.get_default_timezone()


def midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), _tz())


@dataclass
class Block:
    appt: Appointment
    visible: bool  # False: another therapist's client, shown only as "Busy"
    start: dt.datetime  # local, clipped to the column's day
    end: dt.datetime
    row: int = 1
    span: int = 1
    lane: int = 0
    lanes: int = 1

    @property
    def movable(self) -> bool:
        return self.visible and self.appt.status == AppointmentStatus.SCHEDULED

    @property
    def minutes(self) -> int:
        return int((self.appt.ends_at - self.appt.starts_at).total_seconds() // 60)

    @property
    def type_class(self) -> str:
        return f"type-{self.appt.type}" if self.visible else "type-busy"


@dataclass
class Slot:
    time: str  # "HH:MM"
    row: int
    url: str


@dataclass
class Column:
    key: str
    heading: str
    day: dt.date
    clinician: User | None  # the column's clinician, if the column is one
    room: Room | None
    view: str  # "week" or "day": on the day view a free slot's name says the day too
    head_url: str = ""
    is_today: bool = False
    blocks: list[Block] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)

    # Kept: `holds` asks them for every appointment of the week in every column.
    @cached_property
    def start(self) -> dt.datetime:
        return midnight(self.day)

    @cached_property
    def end(self) -> dt.datetime:
        return midnight(self.day + dt.timedelta(days=1))

    @property
    def slot_links(self) -> SafeString:
        """The column's booking links, as calendar.html would write them in a loop: the
        week view's 188 links, a dozen template variables each, were 15% of its work at
        10,000 clients (issue 14). A free half hour is named for a screen reader by the
        column's heading, and on the day view by the day too."""
        where = str(conditional_escape(self.heading))
        if self.view == "day":
            where += f", {escape(dateformat.format(self.day, 'D j M'))}"
        # Every value is escaped as it goes in: the URL (its query's "&"), the heading and
        # the day above; the row is a number and the time "HH:MM".
        return mark_safe(  # noqa: S308
            "".join(
                f'<a class="cal-slot cal-r{slot.row} cal-s2" href="{escape(slot.url)}"'
                f' data-start="{escape(slot.time)}"><span class="cal-slot-text">'
                f'Book {escape(slot.time)}<span class="visually-hidden">, {where}</span>'
                "</span></a>"
                for slot in self.slots
            )
        )

    @property
    def block_links(self) -> SafeString:
        """The column's appointments, as calendar.html wrote them in a loop: the busiest
        clinician's week, each block a dozen template variables and a status badge,
        was half the calendar's template work at 10,000 clients (issue 14)."""
        url = Reverser()  # the URLconf read once for the column's links
        written = (rows(SHOWN if b.visible else BUSY, [self._block(b, url)]) for b in self.blocks)
        return mark_safe("".join(written))  # noqa: S308  (each escaped by common.rows)

    def _block(self, block: Block, url: Reverser) -> dict[str, Any]:
        appt = block.appt
        where = {
            "row": block.row,
            "span": block.span,
            "lane": block.lane,
            "lanes": block.lanes,
            "pk": appt.pk,
            "start": time_filter(block.start, "H:i"),
            "end": time_filter(block.end, "H:i"),
        }
        if not block.visible:
            return where
        extra = ""
        if self.clinician is None:
            extra = f" · {appt.clinician.display_name}"
        elif self.room is None and appt.room is not None:
            extra = f" · {appt.room.name}"
        return {
            **where,
            "type_class": block.type_class,
            "status": str(appt.status),
            "url": url("scheduling:appointment", appt.pk),  # its get_absolute_url
            "move": _move_attributes(block, url) if block.movable else SafeString(""),
            "client": appt.client.full_name,
            "type": f"{label(appt, 'type')}{extra}",
            "badge": status_badge(appt),
        }

    def holds(self, appt: Appointment) -> bool:
        if appt.starts_at >= self.end or appt.ends_at <= self.start:
            return False
        if self.clinician is not None and appt.clinician_id != self.clinician.pk:
            return False
        return self.room is None or appt.room_id == self.room.pk


# One appointment of a column (`Column.block_links`); a value goes in escaped
# (common.rows). Another therapist's client is only "Busy".
SHOWN = """
          <a class="cal-appt {type_class} cal-r{row} cal-s{span} cal-lane-{lane}-of-{lanes} \
status-{status}" href="{url}" data-appointment="{pk}"{move}>
            <span class="cal-time">{start}–{end}</span>
            <span class="cal-client">{client}</span>
            <span class="cal-type">{type}</span>
            {badge}
          </a>"""
BUSY = """
          <div class="cal-appt type-busy cal-r{row} cal-s{span} cal-lane-{lane}-of-{lanes}" \
data-appointment="{pk}"><span class="cal-time">{start}–{end}</span> Busy</div>"""


def _move_attributes(block: Block, url: Reverser) -> SafeString:
    """What calendar.js needs to drag a movable appointment to another slot."""
    appt = block.appt
    return format_html(
        ' draggable="true" data-move-url="{}" data-minutes="{}" data-clinician="{}"'
        ' data-room="{}" data-start="{}" aria-describedby="cal-help"',
        url("scheduling:move", appt.pk),
        block.minutes,
        appt.clinician_id,
        appt.room_id if appt.room_id is not None else "",
        time_filter(block.start, "H:i"),
    )


@dataclass
class Grid:
    columns: list[Column]
    first_hour: int
    last_hour: int  # exclusive

    @property
    def rows(self) -> int:
        return (self.last_hour - self.first_hour) * 60 // ROW_MINUTES

    @property
    def hours(self) -> list[tuple[str, int]]:
        per_hour = 60 // ROW_MINUTES
        return [
            (f"{hour:02d}:00", (hour - self.first_hour) * per_hour + 1)
            for hour in range(self.first_hour, self.last_hour)
        ]

    @property
    def blocks(self) -> list[Block]:
        return [block for column in self.columns for block in column.blocks]


def _minutes(moment: dt.datetime, day: dt.date) -> int:
    """Minutes from the column's midnight on the wall clock (a clock change day
    draws by the clock, as people read it)."""
    if moment.date() > day:
        return 24 * 60
    return moment.hour * 60 + moment.minute


def _lanes(blocks: list[Block]) -> None:
    """Overlapping blocks share the column's width, side by side."""
    cluster: list[Block] = []
    ends: list[dt.datetime] = []  # the end of the last block in each lane

    def close() -> None:
        for member in cluster:
            member.lanes = len(ends)

    for block in sorted(blocks, key=lambda b: (b.start, b.appt.pk)):
        if cluster and all(end <= block.start for end in ends):
            close()
            cluster, ends = [], []
        free = next((i for i, end in enumerate(ends) if end <= block.start), None)
        if free is None:
            free = len(ends) if len(ends) < MAX_LANES else MAX_LANES - 1
            if free == len(ends):
                ends.append(block.end)
        ends[free] = max(ends[free], block.end)
        block.lane = free
        cluster.append(block)
    close()


def build(
    columns: list[Column], appointments: list[Appointment], visible: set[int], book: dict[str, Any]
) -> Grid:
    """Place `appointments` in `columns` and add the booking links of the free
    half hours; `book` holds extra query parameters for the booking links."""
    tz = _tz()
    for column in columns:
        for appt in appointments:
            if column.holds(appt):
                start = max(timezone.localtime(appt.starts_at, tz), column.start)
                end = min(timezone.localtime(appt.ends_at, tz), column.end)
                column.blocks.append(Block(appt, appt.pk in visible, start, end))
    first, last = FIRST_HOUR, LAST_HOUR
    for column in columns:
        for block in column.blocks:
            first = min(first, _minutes(block.start, column.day) // 60)
            last = max(last, -(-_minutes(block.end, column.day) // 60))
    last = min(last, 24)
    for column in columns:
        _lanes(column.blocks)
        taken: list[tuple[int, int]] = []
        for block in column.blocks:
            begin = _minutes(block.start, column.day) - first * 60
            finish = _minutes(block.end, column.day) - first * 60
            block.row = begin // ROW_MINUTES + 1
            block.span = max(1, -(-(finish - begin) // ROW_MINUTES))
            taken.append((begin, finish))
        column.slots = _slots(column, first, last, taken, book)
    return Grid(columns, first, last)


def _slots(
    column: Column, first: int, last: int, taken: list[tuple[int, int]], book: dict[str, Any]
) -> list[Slot]:
    slots = []
    params = {
        **book,
        "clinician": column.clinician.pk if column.clinician else book.get("clinician"),
        "room": column.room.pk if column.room else book.get("room"),
        "date": column.day.isoformat(),
    }
    params.pop("start", None)  # each slot's own start goes last
    # The column's part of every link, encoded once: only the start differs.
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")}, safe=":")
    url = f"{reverse('scheduling:new')}?{query}&start="
    for begin in range(0, (last - first) * 60, SLOT_MINUTES):
        if any(b < begin + SLOT_MINUTES and f > begin for b, f in taken):
            continue
        minutes = first * 60 + begin
        time = f"{minutes // 60:02d}:{minutes % 60:02d}"
        slots.append(Slot(time, begin // ROW_MINUTES + 1, url + time))
    return slots
