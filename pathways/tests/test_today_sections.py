"""The Today page's sections written in Python (pathways.today_sections, issue 14) write
what the template's loop and its row templates (pathways/_today_<key>.html) wrote: every
section, with rows and without, more rows than shown and not, names that need escaping."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template import Context, Engine
from django.test import SimpleTestCase

from accounts.models import Role, User
from clients.models import Client
from consents.models import ConsentDocument, ConsentRequest
from dosing.models import DosingRecord, SessionNote
from intake.models import AppointmentRequest, ContactMessage, RequestStatus
from measures.models import MeasureLink, Reason
from partners.models import Partner, Referral, ReferralStatus
from pathways.today import MeasureRow, Section
from pathways.today_sections import sections_html
from treatment.models import TreatmentCourse, TreatmentSession
from website.models import Service

NASTY = 'O\'Brien & "Sons" <b>'
AT = dt.datetime(2026, 12, 3, 2, 30, tzinfo=dt.UTC)  # the evening before in Virginia

# templates/pathways/dashboard.html's loop, and each row's template, as they were (each
# file ended with a newline).
FORMER_LOOP = """{% for section in today.sections %}{% if section.key != "alerts" %}
<section class="today-section" id="today-{{ section.key }}" aria-labelledby="today-{{ section.key }}-title">
  <h2 id="today-{{ section.key }}-title">{{ section.title }} <span class="today-count">{{ section.count }}</span></h2>
  {% if section.rows %}
  <ul class="today-list">
    {% for row in section.rows %}
    <li>{% include "pathways/_today_"|add:section.key|add:".html" %}</li>
    {% endfor %}
  </ul>
  {% if section.more %}<p class="muted">Showing the first {{ section.rows|length }} of {{ section.count }}.{% if section.more_url %} <a href="{{ section.more_url }}">See all</a>{% endif %}</p>
  {% elif section.more_url %}<p><a href="{{ section.more_url }}">See all</a></p>{% endif %}
  {% else %}
  <p class="today-empty">{{ section.empty }}</p>
  {% endif %}
</section>
{% endif %}{% endfor %}"""  # noqa: E501
FORMER_ROWS = {
    "pathways/_today_consents.html": """<a href="{% url 'clients:detail' row.client_id %}">{{ row.client.full_name }}</a>: {{ row.document.title }}, sent {{ row.created_at|date:"Y-m-d" }}, link open until {{ row.expires_at|date:"Y-m-d H:i" }}. {% status_badge "sent" "Not signed" %}
""",  # noqa: E501
    "pathways/_today_messages.html": """<a href="{% url 'intake:message' row.pk %}">{{ row.name }}</a>: received {{ row.created_at|date:"Y-m-d H:i" }}. {% status_badge "open" "Open" %}
""",  # noqa: E501
    "pathways/_today_notes.html": """{% with session=row.session %}<a href="{% if session.dosing_record %}{% url 'dosing:record' session.dosing_record.pk %}{% else %}{% url 'treatment:session' session.pk %}{% endif %}">{{ session.course.client.full_name }}</a>: dosing session {{ session.started_at|date:"Y-m-d"|default:session.planned_date|default:"" }}, note by {{ row.author.display_name }}, last saved {{ row.updated_at|date:"Y-m-d H:i" }}. {% status_badge "pending" "Not signed" %}{% endwith %}
""",  # noqa: E501
    "pathways/_today_referrals.html": """<a href="{% url 'partners:referral' row.pk %}">{{ row.client.full_name }}</a>: referral to {{ row.partner.name }}, updated {{ row.updated_at|date:"Y-m-d" }}. {% status_badge row %}
""",  # noqa: E501
    "pathways/_today_requests.html": """<a href="{% url 'intake:request' row.pk %}">{{ row.first_name }} {{ row.last_name }}</a>{% if row.service %}: {{ row.service.title }}{% endif %}, received {{ row.created_at|date:"Y-m-d H:i" }}. {% status_badge row %}
""",  # noqa: E501
    "pathways/_today_measures.html": """{% with link=row.link %}<a href="{% url 'measures:client' link.client_id %}">{{ link.client.full_name }}</a>: {{ link.get_reason_display }}, sent {{ link.created_at|date:"Y-m-d" }}, {% if row.state == "overdue" %}expired unanswered {{ link.expires_at|date:"Y-m-d" }}{% else %}open until {{ link.expires_at|date:"Y-m-d" }}{% endif %}. {% if row.state == "overdue" %}{% status_badge "overdue" "Overdue" %}{% else %}{% status_badge "due" "Due" %}{% endif %}{% endwith %}
""",  # noqa: E501
}


def former(sections: list[Section]) -> str:
    """The former loop, through Django's own `url` tag (not the project's)."""
    engine = Engine.get_default()
    builtins = [b for b in engine.builtins if b != "common.template_urls"]
    theirs = Engine(
        builtins=builtins,
        libraries=engine.libraries,
        loaders=[("django.template.loaders.locmem.Loader", FORMER_ROWS)],
    )
    today = {"sections": sections}
    return theirs.from_string(FORMER_LOOP).render(Context({"today": today}))


def client(n: int) -> Client:
    return Client(id=40 + n, first_name=NASTY, last_name=f"Scully{n}")


def note(n: int, *, record: bool, started: bool) -> SessionNote:
    course = TreatmentCourse(id=n, client=client(n))
    session = TreatmentSession(
        id=70 + n,
        course=course,
        planned_date=None if n == 3 else dt.date(2026, 12, n),
        started_at=AT - dt.timedelta(days=n) if started else None,
    )
    session._state.fields_cache["dosing_record"] = DosingRecord(id=90 + n) if record else None
    author = User(id=n, username=f"u{n}", first_name=NASTY, last_name="Lee", role=Role.THERAPIST)
    return SessionNote(id=n, session=session, author=author, updated_at=AT - dt.timedelta(hours=n))


def rows_of(key: str) -> list[Any]:
    if key == "notes":
        return [
            note(1, record=True, started=True),
            note(2, record=False, started=False),
            note(3, record=False, started=False),  # no date at all
        ]
    if key == "consents":
        document = ConsentDocument(id=1, title='Consent <to> "KAP" & more')
        return [
            ConsentRequest(
                id=n,
                client=client(n),
                document=document,
                created_at=AT,
                expires_at=AT + dt.timedelta(days=n),
            )
            for n in (1, 2)
        ]
    if key == "measures":
        return [
            MeasureRow(
                MeasureLink(
                    id=n,
                    client=client(n),
                    reason=reason,
                    created_at=AT,
                    expires_at=AT - dt.timedelta(days=1),
                ),
                state,
            )
            for n, (reason, state) in enumerate(
                [(r, s) for r in Reason.values for s in ("due", "overdue")], start=1
            )
        ]
    if key == "referrals":
        partner = Partner(id=1, name='Blue Ridge <Psychiatry> & "Co"')
        return [
            Referral(id=n, client=client(n), partner=partner, status=status, updated_at=AT)
            for n, status in enumerate(ReferralStatus.values, start=1)
        ]
    if key == "requests":
        service = Service(id=1, title='KAP & "EMDR" <i>')
        return [
            AppointmentRequest(
                id=n,
                first_name=NASTY,
                last_name="Ruiz",
                service=s,
                status=RequestStatus.NEW,
                created_at=AT,
            )
            for n, s in ((1, service), (2, None))
        ]
    assert key == "messages"
    return [ContactMessage(id=n, name=NASTY, created_at=AT) for n in (1, 2)]


KEYS = ("notes", "consents", "measures", "referrals", "requests", "messages")


class TodaySectionsTests(SimpleTestCase):
    def both(self, sections: list[Section]) -> str:
        written = sections_html(sections)
        assert written == former(sections)
        return written

    def test_every_section_with_rows_is_what_the_loop_wrote(self) -> None:
        for key in KEYS:
            for count_more, more_url in (
                (0, ""),
                (0, "/staff/requests/?status=new"),
                (5, ""),
                (5, "/staff/x/?a=1&b=<2>"),
            ):
                with self.subTest(key=key, more=count_more, url=more_url):
                    rows = rows_of(key)
                    section = Section(
                        key,
                        f"Title & <{key}>",
                        "None <here>.",
                        rows,
                        len(rows) + count_more,
                        more_url,
                    )
                    self.both([section])

    def test_empty_sections_and_the_alerts_are_what_the_loop_wrote(self) -> None:
        alerts = Section("alerts", "Safety alerts", "No open safety alerts.", ["x"], 1, "/a/")
        empty = [Section(key, key.title(), f"No {key} <waiting>.", [], 0) for key in KEYS]
        written = self.both([alerts, *empty])
        assert "Safety alerts" not in written  # shown above the appointments
        assert written.count("today-empty") == len(KEYS)

    def test_a_whole_page_of_sections_is_what_the_loop_wrote(self) -> None:
        sections = [Section(key, key, "none", rows_of(key), 9, "/more/") for key in KEYS]
        written = self.both(sections)
        assert "/staff/dosing/91/" in written  # a note of a dosing record opens it
        assert "/staff/courses/sessions/72/" in written  # one without, its session
        assert written.count("O&#x27;Brien &amp; &quot;Sons&quot; &lt;b&gt;") >= 10
