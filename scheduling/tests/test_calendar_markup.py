"""The calendar's markup written in Python (issue 14): the booking links and the
appointments of a column (scheduling.grid.Column.slot_links, .block_links) and the
options of the clinician and room selects (scheduling.forms.LabelsOnly) are what the
templates and Django's fields wrote."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.template import Context, Template
from django.test import SimpleTestCase

from accounts.models import Role, User
from pathways.testing import BaseTestCase, make_client, make_user
from scheduling import grid
from scheduling.forms import (
    CalendarForm,
    ClinicianField,
    LabelledChoiceField,
    LabelsOnly,
    RoomField,
)
from scheduling.models import Appointment, AppointmentStatus, AppointmentType, Room
from scheduling.queries import clinicians
from scheduling.tests.factories import make_appointment, make_room

# The loop calendar.html had before the links were written in Python.
TEMPLATE_LOOP = (
    '{% for slot in column.slots %}<a class="cal-slot cal-r{{ slot.row }} cal-s2" '
    'href="{{ slot.url }}" data-start="{{ slot.time }}"><span class="cal-slot-text">Book '
    '{{ slot.time }}<span class="visually-hidden">, {{ column.heading }}{% if view == "day" %}'
    ', {{ column.day|date:"D j M" }}{% endif %}</span></span></a>{% endfor %}'
)


def column(heading: str, view: str) -> grid.Column:
    day = dt.date(2026, 12, 7)
    room = Room(pk=3, name=heading)
    made = grid.Column(key="c", heading=heading, day=day, clinician=None, room=room, view=view)
    # One appointment 10:00–11:15: the links go around it.
    start = grid.midnight(day) + dt.timedelta(hours=10)
    taken = [(start.hour * 60 - 8 * 60, start.hour * 60 - 8 * 60 + 75)]
    made.slots = grid._slots(made, 8, 19, taken, {"view": view, "by": "room"})
    return made


class SlotLinksTests(SimpleTestCase):
    def test_it_writes_what_the_templates_loop_wrote(self) -> None:
        for heading in ("Garden room", 'Dr <Ruth> & "Co"', "Mon 7 Dec"):
            for view in ("week", "day"):
                shown = column(heading, view)
                expected = Template(TEMPLATE_LOOP).render(Context({"column": shown, "view": view}))

                assert shown.slot_links == expected, (heading, view)

    def test_it_escapes_the_heading_and_the_links_query(self) -> None:
        links = column("<b>Room</b>", "day").slot_links

        assert "<b>" not in links
        assert ", &lt;b&gt;Room&lt;/b&gt;, Mon 7 Dec</span>" in links
        assert "&amp;date=2026-12-07" in links
        assert links.count('class="cal-slot ') == 19  # 22 half hours, 3 taken


# The loop calendar.html had before the appointments were written in Python.
BLOCK_LOOP = """{% for block in column.blocks %}
          {% if block.visible %}
          <a class="cal-appt {{ block.type_class }} cal-r{{ block.row }} cal-s{{ block.span }} \
cal-lane-{{ block.lane }}-of-{{ block.lanes }} status-{{ block.appt.status }}" \
href="{{ block.appt.get_absolute_url }}" data-appointment="{{ block.appt.pk }}"\
{% if block.movable %} draggable="true" data-move-url="{% url 'scheduling:move' block.appt.pk %}" \
data-minutes="{{ block.minutes }}" data-clinician="{{ block.appt.clinician_id }}" \
data-room="{{ block.appt.room_id|default:'' }}" data-start="{{ block.start|time:'H:i' }}" \
aria-describedby="cal-help"{% endif %}>
            <span class="cal-time">{{ block.start|time:"H:i" }}–{{ block.end|time:"H:i" }}</span>
            <span class="cal-client">{{ block.appt.client.full_name }}</span>
            <span class="cal-type">{{ block.appt.get_type_display }}\
{% if not column.clinician %} · {{ block.appt.clinician.display_name }}\
{% elif not column.room and block.appt.room %} · {{ block.appt.room.name }}{% endif %}</span>
            {% status_badge block.appt %}
          </a>
          {% else %}
          <div class="cal-appt type-busy cal-r{{ block.row }} cal-s{{ block.span }} \
cal-lane-{{ block.lane }}-of-{{ block.lanes }}" data-appointment="{{ block.appt.pk }}">\
<span class="cal-time">{{ block.start|time:"H:i" }}–{{ block.end|time:"H:i" }}</span> Busy</div>
          {% endif %}
          {% endfor %}"""


class BlockLinksTests(BaseTestCase):
    def test_it_writes_what_the_templates_loop_wrote(self) -> None:
        day = dt.date(2026, 12, 7)
        at = grid.midnight(day)
        garden = make_room('Garden <room> & "Co"')
        odd = make_client(first_name="<b>Ann</b>", last_name="O'Hara & Sons")
        plain = make_client(first_name="Plain", last_name="Client")
        made = [
            # Scheduled (movable), with a room; overlapping: two lanes.
            make_appointment(odd, self.therapist, at + dt.timedelta(hours=9), room=garden),
            make_appointment(plain, self.therapist, at + dt.timedelta(hours=9, minutes=30)),
            make_appointment(
                plain,
                self.therapist,
                at + dt.timedelta(hours=13),
                minutes=120,
                type=AppointmentType.KAP_DOSING,
                status=AppointmentStatus.COMPLETED,
            ),
            make_appointment(odd, self.therapist2, at + dt.timedelta(hours=15), room=garden),
            # Across midnight: clipped to the column's day.
            make_appointment(plain, self.therapist, at + dt.timedelta(hours=23, minutes=30)),
        ]
        appts = list(
            Appointment.objects.select_related("client", "clinician", "room").order_by("pk")
        )
        mine = {made[0].pk, made[2].pk, made[3].pk, made[4].pk}  # made[1]: "Busy"
        for clinician, room in ((self.therapist, None), (None, garden), (None, None)):
            for visible in (mine, {a.pk for a in appts}, set()):
                with self.subTest(clinician=clinician, room=room, visible=sorted(visible)):
                    columns = [
                        grid.Column(
                            key="c",
                            heading="H",
                            day=day,
                            clinician=clinician,
                            room=room,
                            view="day",
                        )
                    ]
                    built = grid.build(columns, appts, visible, {})
                    (shown,) = built.columns
                    assert shown.blocks, "no appointment on the column"
                    before = Template(BLOCK_LOOP).render(Context({"column": shown}))
                    self.assertHTMLEqual(str(shown.block_links), before)
                    # Escaped as the template escaped (assertHTMLEqual reads entities).
                    if room is None and made[0].pk in visible:
                        self.assertIn(
                            "&lt;b&gt;Ann&lt;/b&gt; O&#x27;Hara &amp; Sons", shown.block_links
                        )
                    if clinician is not None and made[0].pk in visible:
                        self.assertIn(
                            " · Garden &lt;room&gt; &amp; &quot;Co&quot;", shown.block_links
                        )


def options(field: LabelledChoiceField[Any]) -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in LabelsOnly(field)]


class LabelsOnlyTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        make_user("plain", Role.THERAPIST, first_name="", last_name="")
        make_user("named", Role.THERAPIST, first_name="Ada", last_name="Byron", credentials="LCSW")
        make_user("gone", Role.THERAPIST, first_name="Gone", is_active=False)
        make_room("Garden & <Sun> room")
        make_room("Blue room")

    def test_it_labels_every_option_as_the_object_would(self) -> None:
        field = ClinicianField(queryset=clinicians(), empty_label="—")
        by_object = [("", "—")] + [
            (str(user.pk), field.label_from_instance(user)) for user in clinicians()
        ]

        assert options(field) == by_object
        assert "Ada Byron, LCSW" in [label for _v, label in options(field)]
        assert "plain" in [label for _v, label in options(field)]  # no name: the username
        rooms = RoomField(queryset=Room.objects.all(), empty_label=None)
        assert [label for _v, label in options(rooms)] == [str(r) for r in Room.objects.all()]

    def test_it_writes_the_same_select_as_djangos_field(self) -> None:
        form = CalendarForm(initial={"clinician": self.therapist.pk})
        for name in ("clinician", "room"):
            ours = str(form[name])
            field = cast(Any, form.fields[name])
            field.iterator = ModelChoiceIterator  # Django's own
            theirs = str(form[name])
            field.iterator = LabelsOnly

            assert ours == theirs, name
        assert f'value="{self.therapist.pk}" selected' in str(form["clinician"])

    def test_it_checks_a_posted_choice_against_the_queryset(self) -> None:
        gone = User.objects.get(username="gone")
        field = ClinicianField(queryset=clinicians())

        with self.assertRaises(ValidationError):
            field.clean(str(gone.pk))
        assert str(gone.pk) not in [value for value, _label in options(field)]
        chosen = field.clean(str(self.therapist.pk))
        with self.assertNumQueries(0):  # the whole user, as before
            assert chosen.role == Role.THERAPIST
