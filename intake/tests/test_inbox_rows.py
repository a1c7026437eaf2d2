"""The inbox's rows and the request's badges, written in Python (intake.rows), are the
markup the inbox's template wrote before (issue 14), for every kind of row."""

from __future__ import annotations

from typing import Any

from django.template import Context, Template
from django.test import RequestFactory

from intake.models import AppointmentRequest, RequestStatus
from intake.rows import inbox_rows
from pathways.testing import BaseTestCase, make_request, make_service

# The inbox's rows as templates/intake/inbox.html wrote them, with its two badges.
BEFORE = Template(
    """{% for appt, duplicate in rows %}
    <tr{% if duplicate %} class="possible-duplicate"{% endif %}>
      <td>{{ appt.created_at|date:"Y-m-d H:i" }}</td>
      <td><a href="{{ appt.get_absolute_url }}">{{ appt.full_name }}</a>
        {% if duplicate or appt.sent_again_count %}<span class="row-flags">{% if duplicate %}"""
    """<span class="badge badge-alert badge-duplicate"><span class="badge-icon" """
    """aria-hidden="true">≈</span> Possible duplicate</span>{% endif %}"""
    """{% if appt.sent_again_count %} """
    """<span class="badge badge-waiting badge-sent-again"><span class="badge-icon" """
    """aria-hidden="true">↻</span> Sent again{% if appt.sent_again_count > 1 %} """
    """×{{ appt.sent_again_count }}{% endif %}</span>{% endif %}</span>{% endif %}</td>
      <td>{{ appt.service.title|default:"Not sure yet" }}</td>
      <td>{% status_badge appt %}</td>
      <td>{{ appt.assigned_to.display_name|default:"—" }}</td>
    </tr>
  {% endfor %}"""
)


class InboxRowsTestCase(BaseTestCase):
    def test_it_writes_the_rows_the_template_wrote(self) -> None:
        service = make_service(title='KAP <& "intro">', slug="kap-intro")
        kinds: list[dict[str, Any]] = [
            {"first_name": "Plain", "last_name": "Row"},
            {"first_name": "<b>Bold</b>", "last_name": 'O\'Hara & "Sons"'},
            {"first_name": "Once", "last_name": "Again", "sent_again_count": 1},
            {"first_name": "Twice", "last_name": "Again", "sent_again_count": 2},
            {"first_name": "Thrice", "last_name": "Again", "sent_again_count": 3},
            {"first_name": "With", "last_name": "Service", "service": service},
            {"first_name": "Assigned", "last_name": "One", "assigned_to": self.therapist},
            {"first_name": "Spam", "last_name": "Row", "status": RequestStatus.SPAM},
            {"first_name": "José", "last_name": "Núñez", "status": RequestStatus.CONTACTED},
        ]
        made = [make_request(**kind) for kind in kinds]
        appts = list(
            AppointmentRequest.objects.select_related("service", "assigned_to").order_by("pk")
        )
        for flagged in (set(), {a.pk for a in made}, {made[0].pk, made[3].pk}):
            with self.subTest(flagged=sorted(flagged)):
                context = Context(
                    {"rows": [(a, a.pk in flagged) for a in appts]},
                    autoescape=True,
                )
                context.request = RequestFactory().get("/")  # type: ignore[attr-defined]
                written = str(inbox_rows(appts, flagged))
                self.assertHTMLEqual(written, BEFORE.render(context))
                # Escaped as the template escaped (assertHTMLEqual reads entities as text).
                self.assertIn(
                    "&lt;b&gt;Bold&lt;/b&gt; O&#x27;Hara &amp; &quot;Sons&quot;", written
                )
                self.assertIn("KAP &lt;&amp; &quot;intro&quot;&gt;", written)

    def test_it_writes_nothing_for_no_request(self) -> None:
        self.assertEqual(str(inbox_rows([], set())), "")
