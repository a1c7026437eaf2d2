"""The long lists written from format strings (common.rows, issue 14) write what their
templates' loops wrote: the audit report's entries, the client list, the outcomes
report's two lists and the EMDR timeline's table, with names that need escaping."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.template import Context, Engine
from django.test import SimpleTestCase, TestCase

from accounts.models import Role
from audit.models import AuditEvent
from bls.models import BlsType, DesensitisationSet
from bls.set_rows import set_rows
from bls.timeline import Row, table_rows
from clients.models import Client
from clients.views import list_rows
from common.timefmt import local_day_hm
from measures.models import Instrument
from measures.outcomes.build import Excluded, Included
from measures.outcomes.queries import ScorePoint
from measures.outcomes.rows import excluded_rows, included_rows
from partners.models import ReferralStatus
from partners.portal_views import referral_rows
from partners.tests.factories import make_referral
from pathways.audit_report import _rows as audit_rows
from pathways.testing import make_partner, make_user
from pathways.today import TodayAppointment
from pathways.today_rows import appointment_rows
from scheduling.models import AppointmentStatus, AppointmentType
from scheduling.tests.factories import make_appointment, make_room

NOT_READ: Any = None  # how a change was judged: the rows do not show it
NASTY = 'O\'Brien & "Sons" <b>'
AT = dt.datetime(2026, 12, 3, 2, 30, tzinfo=dt.UTC)  # the evening before in Virginia


def loop(text: str, **context: Any) -> str:
    """`text` rendered as the page rendered it before: Django's own `url` tag, not the
    project's (common.template_urls), so that a link is checked against `reverse`."""
    engine = Engine.get_default()
    builtins = [b for b in engine.builtins if b != "common.template_urls"]
    theirs = Engine(builtins=builtins, libraries=engine.libraries)
    return theirs.from_string(text).render(Context(context))


AUDIT_LOOP = """{% for row in rows %}{% with e=row.event %}
  <tr><td class="num">{{ e.pk }}</td><td class="nowrap">{{ row.when }}</td><td>{{ e.actor_username|default:"—" }}</td><td>{{ e.action }}</td>
    <td>{% if e.object_type %}{{ e.object_type }} {{ e.object_id }}{% else %}—{% endif %}</td>
    <td>{% if e.client_id %}{{ row.client|default:"(removed)" }} <small>#{{ e.client_id }}</small>{% else %}—{% endif %}</td>
    <td>{{ e.ip|default:"—" }}</td><td><code>{{ e.detail }}</code></td></tr>
  {% endwith %}{% endfor %}"""  # noqa: E501

LIST_LOOP = """{% for c in page %}
  <tr><td><a href="{{ c.get_absolute_url }}">{{ c.last_name }}, {{ c.first_name }}</a></td><td>{{ c.date_of_birth|date:"Y-m-d"|default:"—" }}</td><td>{{ c.get_status_display }}</td>
    <td>{{ c.assigned_therapist.display_name|default:"—" }}</td></tr>
  {% endfor %}"""  # noqa: E501

INCLUDED_LOOP = """{% for item in included %}
    <tr><td><a href="{% url 'clients:detail' item.client_id %}">#{{ item.client_id }}</a></td>
      <td>Course {{ item.course_number }}</td>
      <td>{{ item.modality_label }}</td><td>{{ item.instrument.short_name }}</td>
      <td>{{ item.baseline.total }} ({{ item.baseline.answered_at|date:"Y-m-d" }}); first dose {{ item.first_dose_at|date:"Y-m-d" }}</td>
      <td>{{ item.latest.total }} ({{ item.latest.answered_at|date:"Y-m-d" }})</td>
      <td class="denominator">{% if item.in_denominator is None %}—{% elif item.in_denominator %}In the denominator{% else %}{{ item.denominator_note }}{% endif %}</td></tr>
    {% endfor %}"""  # noqa: E501

EXCLUDED_LOOP = """{% for item in excluded %}
    <tr><td><a href="{% url 'clients:detail' item.client_id %}">#{{ item.client_id }}</a></td><td>{% if item.course_id %}Course {{ item.course_number }}{% else %}—{% endif %}</td><td>{{ item.instrument|default:"All" }}</td><td>{{ item.reason }}</td></tr>
    {% endfor %}"""  # noqa: E501

REFERRAL_LOOP = """{% for referral in page %}
    <tr>
      <td>{{ referral.sent_at|date:"Y-m-d" }}</td>
      <td><a href="{% url 'portal:referral' referral.pk %}">{{ referral.client.full_name }}</a></td>
      <td>{{ referral.client.date_of_birth|date:"Y-m-d"|default:"Not recorded" }}</td>
      <td>{% status_badge referral %}</td>
      <td>{{ referral.evaluation_at|date:"Y-m-d H:i T"|default:"—" }}</td>
    </tr>
  {% endfor %}"""  # noqa: E501

TODAY_LOOP = """{% for row in today.appointments %}{% with appt=row.appointment %}
      <tr class="today-appt today-type-{{ appt.type }}">
        <td class="today-time">{{ appt.starts_at|time:"H:i" }}–{{ appt.ends_at|time:"H:i" }}</td>
        <td>{{ appt.client.full_name }}</td>
        <td>{{ appt.get_type_display }}</td>
        {% if user.role != "therapist" %}<td>{{ appt.clinician.display_name }}</td>{% endif %}
        <td>{{ appt.room.name|default:"—" }}</td>
        <td>{% status_badge appt %}</td>
        <td><a class="button small" href="{{ row.url }}">{{ row.way_in }}<span class="visually-hidden">: {{ appt.client.full_name }}, {{ appt.starts_at|time:"H:i" }}</span></a></td>
      </tr>
    {% endwith %}{% endfor %}"""  # noqa: E501

TIMELINE_LOOP = """{% for r in rows %}
      <tr><td><time datetime="{{ r.at|date:'c' }}">{{ r.at|date:"H:i" }}</time></td><td>{{ r.minutes }}</td><td>{{ r.event }}</td><td>{{ r.sud|default_if_none:"" }}</td><td>{{ r.voc|default_if_none:"" }}</td><td>{{ r.vitals }}</td></tr>
      {% endfor %}"""  # noqa: E501


class AuditRowsTests(SimpleTestCase):
    def test_it_writes_what_the_loop_wrote(self) -> None:
        events = [
            AuditEvent(
                pk=7,
                at=AT,
                actor_username=NASTY,
                action="client.view",
                object_type="Client",
                object_id="12",
                client_id=12,
                ip="10.0.0.1",
                detail={"q": NASTY},
            ),
            AuditEvent(pk=8, at=AT, actor_username="", action="auth.failed", detail={}),
            AuditEvent(pk=9, at=AT, action="x", client_id=99, object_type="", ip=None),
        ]
        names = {12: NASTY}
        rows = [
            {"event": e, "when": local_day_hm(e.at), "client": names.get(e.client_id or 0, "")}
            for e in events
        ]

        assert audit_rows(events, names) == loop(AUDIT_LOOP, rows=rows)
        assert "&lt;b&gt;" in audit_rows(events, names)


class TimelineRowsTests(SimpleTestCase):
    def test_it_writes_what_the_loop_wrote(self) -> None:
        rows = [
            Row(AT, 0, "Dose: ketamine 50 mg SL"),
            Row(AT + dt.timedelta(minutes=5), 5, NASTY, sud=7),
            Row(AT + dt.timedelta(minutes=9), 9, "VOC", voc=0, vitals="BP 120/80 & HR 72"),
        ]

        assert table_rows(rows) == loop(TIMELINE_LOOP, rows=rows)


# The loop of templates/bls/_sets.html before its rows were written by bls.set_rows.
SETS_LOOP = """{% for s in sets %}
      <tr data-set="{{ s.number }}">
        <th scope="row">{{ s.number }}</th>
        <td><time datetime="{{ s.at|date:'c' }}">{{ s.at|date:"H:i" }}</time></td>
        <td>{{ s.get_bls_type_display }}</td>
        <td>{{ s.speed_hz }} Hz</td>
        <td>{% if s.passes is not None %}{{ s.passes }} pass{{ s.passes|pluralize:"es" }}{% endif %}{% if s.passes is not None and s.seconds is not None %}, {% endif %}{% if s.seconds is not None %}{{ s.seconds }} s{% endif %}{% if s.from_display %} <span class="set-source">(from the display)</span>{% endif %}{% if s.interrupted %} <span class="badge badge-stopped"><span class="badge-icon" aria-hidden="true">⏸</span> Interrupted</span>{% endif %}</td>
        <td>{{ s.sud|default_if_none:"—" }}</td>
        <td>{{ s.minutes_since_dose|default_if_none:"—" }}</td>
        <td class="pre">{{ s.client_report }}</td>
        <td class="pre">{{ s.interweave }}</td>
      </tr>
      {% endfor %}"""  # noqa: E501


class SetRowsTests(SimpleTestCase):
    def test_it_writes_what_the_loop_wrote(self) -> None:
        kinds = {"bls_type": BlsType.EYES, "speed_hz": Decimal("1.0")}
        sets = [
            DesensitisationSet(number=1, at=AT, passes=24, sud=7, client_report=NASTY, **kinds),
            DesensitisationSet(
                number=2,
                at=AT,
                passes=1,
                seconds=30,
                sud=0,
                minutes_since_dose=0,
                interweave=NASTY,
                from_display=True,
                **kinds,
            ),
            DesensitisationSet(
                number=3,
                at=AT,
                seconds=1,
                interrupted=True,
                from_display=True,
                bls_type=BlsType.TACTILE,
                speed_hz=Decimal("0.8"),
                minutes_since_dose=41,
            ),
            DesensitisationSet(
                number=10,
                at=AT,
                passes=0,
                seconds=0,
                bls_type=BlsType.AUDITORY,
                speed_hz=Decimal("5.0"),
                client_report="line one\nline two",
            ),
        ]

        assert set_rows(sets) == loop(SETS_LOOP, sets=sets)
        assert "&lt;b&gt;" in set_rows(sets)


class ListAndOutcomesRowsTests(TestCase):
    def test_the_client_lists_rows_are_what_the_loop_wrote(self) -> None:
        therapist = make_user("t", Role.THERAPIST, first_name=NASTY)
        clients = [
            Client.objects.create(
                first_name=NASTY,
                last_name="Scully",
                assigned_therapist=therapist,
                date_of_birth=dt.date(1990, 2, 3),
            ),
            Client.objects.create(first_name="Dana", last_name=NASTY),
        ]

        assert list_rows(clients) == loop(LIST_LOOP, page=clients)

    def test_the_portals_referrals_are_what_the_loop_wrote(self) -> None:
        partner = make_partner("Blue Ridge")
        staff = make_user("i", Role.INTAKE)
        referrals = [
            make_referral(
                Client.objects.create(
                    first_name=NASTY, last_name="Scully", date_of_birth=dt.date(1990, 2, 3)
                ),
                partner,
                staff,
                status=ReferralStatus.SCHEDULED,
                evaluation_at=AT,
            ),
            make_referral(
                Client.objects.create(first_name="Dana", last_name=NASTY), partner, staff
            ),
        ]

        assert referral_rows(referrals) == loop(REFERRAL_LOOP, page=referrals)

    def test_the_outcomes_rows_are_what_the_loops_wrote(self) -> None:
        instrument = Instrument(short_name="PHQ-9 <&>")
        point = ScorePoint(id=1, client_id=4, instrument_id=1, total=17, answered_at=AT)
        later = ScorePoint(
            id=2, client_id=4, instrument_id=1, total=6, answered_at=AT + dt.timedelta(days=40)
        )
        included = [
            Included(
                4,
                5,
                1,
                "kap",
                instrument,
                point,
                later,
                AT + dt.timedelta(days=3),
                judged=NOT_READ,
                in_denominator=None,
            ),
            Included(
                4,
                5,
                2,
                "ka_emdr",
                instrument,
                point,
                later,
                AT,
                judged=NOT_READ,
                in_denominator=False,
                denominator_note=NASTY,
            ),
            Included(
                6, 8, 1, "kap", instrument, point, later, AT, judged=NOT_READ, in_denominator=True
            ),
        ]
        excluded = [
            Excluded(4, None, None, "", NASTY),
            Excluded(6, 8, 2, "GAD-7", "No score after the first dose"),
        ]

        assert included_rows(included) == loop(INCLUDED_LOOP, included=included)
        assert excluded_rows(excluded) == loop(EXCLUDED_LOOP, excluded=excluded)


class TodayRowsTests(TestCase):
    def test_todays_appointments_are_what_the_loop_wrote(self) -> None:
        therapist = make_user("t", Role.THERAPIST, first_name=NASTY)
        client = Client.objects.create(first_name=NASTY, last_name="Scully")
        appointments = [
            TodayAppointment(
                make_appointment(client, therapist, AT, room=make_room('Suite "A" & <i>')),
                "/staff/dosing/7/",
                "Open the dosing record",
            ),
            TodayAppointment(
                make_appointment(
                    client,
                    therapist,
                    AT + dt.timedelta(hours=2),
                    type=AppointmentType.KAP_DOSING,
                    status=AppointmentStatus.CANCELLED,
                ),
                "/staff/appointments/8/",
                "Open the appointment",
            ),
        ]
        today = {"appointments": appointments}

        for user in (therapist, make_user("i", Role.INTAKE)):
            with self.subTest(role=user.role):
                written = appointment_rows(appointments, show_clinician=user.role != "therapist")
                assert written == loop(TODAY_LOOP, today=today, user=user)
                # Each row names the client in a cell, and the clinician in another
                # for anyone but the therapist.
                cells = 2 if user.role != "therapist" else 1
                assert written.count("<td>O&#x27;Brien") == cells * len(appointments)
