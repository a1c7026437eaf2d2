"""A status badge says its status by colour, icon and text together."""

from __future__ import annotations

from django.template import Context, Template

from pathways.testing import BaseTestCase, make_client, make_course, make_session
from treatment.models import SessionKind, SessionStatus


class StatusBadgeTests(BaseTestCase):
    def test_it_shows_a_models_status_with_tone_icon_and_text(self) -> None:
        course = make_course(client=make_client(), created_by=self.therapist)
        session = make_session(
            course=course, kind=SessionKind.DOSING, status=SessionStatus.CANCELLED
        )

        html = Template("{% status_badge s %}").render(Context({"s": session}))

        self.assertIn('class="badge badge-stopped status-cancelled"', html)
        self.assertIn('aria-hidden="true">✕</span> Cancelled', html)

    def test_it_takes_a_value_and_label_and_escapes_them(self) -> None:
        # A label from data is escaped (a literal in a template is trusted by Django).
        context = Context({"label": "<b>Overdue</b>"})
        html = Template('{% status_badge "overdue" label %}').render(context)

        self.assertIn("badge-alert", html)
        self.assertIn("&lt;b&gt;Overdue&lt;/b&gt;", html)

    def test_it_shows_an_unknown_status_as_waiting(self) -> None:
        html = Template('{% status_badge "mystery_state" %}').render(Context())

        self.assertIn("badge-waiting", html)
        self.assertIn("Mystery state", html)

    def test_it_names_the_text_with_an_id_when_asked(self) -> None:
        # A page reads the status by id without the decorative icon.
        html = Template('{% status_badge "denied" "Denied" id="amendment-status" %}').render(
            Context()
        )

        self.assertIn('✕</span> <span id="amendment-status">Denied</span></span>', html)

    def test_it_builds_a_models_badge_once_per_status_id_and_language(self) -> None:
        # Kept per (model, status, id, language): a list of 25 rows built it 25 times.
        from unittest import mock

        from django.utils import translation

        from common import template_badges

        template_badges._MODEL_BADGES.clear()
        self.addCleanup(template_badges._MODEL_BADGES.clear)  # its labels are made up
        course = make_course(client=make_client(), created_by=self.therapist)
        cancelled = [
            make_session(course=course, kind=SessionKind.DOSING, status=SessionStatus.CANCELLED)
            for _ in range(3)
        ]
        planned = make_session(course=course, kind=SessionKind.DOSING)
        asked: list[str] = []

        def label(session: object) -> str:
            asked.append(session.status)  # type: ignore[attr-defined]
            return "Label"

        with mock.patch.object(type(planned), "get_status_display", label):
            first = [template_badges.status_badge(s) for s in cancelled]
            other = template_badges.status_badge(planned)
            named = template_badges.status_badge(cancelled[0], id="the-status")
            with translation.override("fr"):
                template_badges.status_badge(cancelled[0])

        self.assertEqual(len(set(first)), 1)
        self.assertIn("status-cancelled", first[0])
        self.assertIn(f"status-{planned.status}", other)
        self.assertIn('<span id="the-status">', named)
        # once for cancelled, once for planned, once with the id, once in French
        self.assertEqual(len(asked), 4)
