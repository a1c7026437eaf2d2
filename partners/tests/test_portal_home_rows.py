"""The portal home's sections write their rows (HomeSection.rows_html, common.rows) as
their row templates wrote them (issue 14): the referrals waiting, the dosing sessions
this week and the prescriptions ending soon, with names that need escaping."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template import Context, Engine
from django.utils import timezone

from dosing.models import DosingRecord
from partners.models import ReferralStatus
from partners.portal_views import HomeSection
from pathways.testing import (
    BaseTestCase,
    make_client,
    make_course,
    make_prescription,
    make_referral,
    make_session,
)
from treatment.models import SessionKind, SessionStatus

NASTY = 'O\'Brien & "Sons" <b>'
LOOP = "{% for row in section.rows %}<li>{% include section.row_template %}</li>{% endfor %}"


def loop(section: HomeSection) -> str:
    """The section's rows as the page wrote them before: each through its template, with
    Django's own `url` tag (not common.template_urls), so each link is `reverse`'s."""
    engine = Engine.get_default()
    builtins = [b for b in engine.builtins if b != "common.template_urls"]
    theirs = Engine(dirs=engine.dirs, app_dirs=True, builtins=builtins, libraries=engine.libraries)
    return theirs.from_string(LOOP).render(Context({"section": section}))


class PortalHomeRowsTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        therapist = self.therapist
        # Waiting for the prescriber: sent, scheduled (with and without a time), answered.
        make_referral(make_client(first_name=NASTY, last_name="Sent"), self.partner, therapist)
        make_referral(
            make_client(first_name="Sched", last_name=NASTY),
            self.partner,
            therapist,
            status=ReferralStatus.SCHEDULED,
            evaluation_at=dt.datetime(2026, 7, 3, 15, 30, tzinfo=dt.UTC),  # EDT
        )
        make_referral(
            make_client(first_name="NoTime", last_name="Yet"),
            self.partner,
            therapist,
            status=ReferralStatus.SCHEDULED,
        )
        make_referral(
            make_client(first_name="Answered", last_name="Q"),
            self.partner,
            therapist,
            status=ReferralStatus.INFO_PROVIDED,
        )
        # Treated: a prescription ending soon, a session started today with its record
        # open, and one planned for today, not begun.
        client = make_client(first_name=NASTY, last_name="Treated", assigned_therapist=therapist)
        referral = make_referral(client, self.partner, therapist, status=ReferralStatus.ELIGIBLE)
        today = timezone.localdate()
        rx = make_prescription(referral, self.prescriber, valid_to=today + dt.timedelta(days=9))
        course = make_course(client, therapist)
        started = make_session(
            course,
            SessionKind.DOSING,
            status=SessionStatus.IN_PROGRESS,
            started_at=timezone.now(),
            started_by=therapist,
            prescription=rx,
        )
        DosingRecord.objects.create(session=started, prescription=rx, opened_by=therapist)
        make_session(course, SessionKind.DOSING, planned_date=today, prescription=rx)
        self.client.force_login(self.prescriber)

    def sections(self) -> dict[str, Any]:
        response = self.client.get("/partner/")
        assert response.status_code == 200
        return {s.key: s for s in response.context["sections"]}

    def test_each_section_writes_what_its_row_template_wrote(self) -> None:
        sections = self.sections()

        assert {key: len(s.rows) for key, s in sections.items()} == {
            "waiting": 4,
            "sessions": 2,
            "expiring": 1,
        }
        for section in sections.values():
            assert section.rows_html == loop(section), section.key
        assert "&lt;b&gt;" in sections["waiting"].rows_html
        assert "EDT: record its result" in sections["waiting"].rows_html
        assert "date not set: record its result" in sections["waiting"].rows_html
        assert "Session summary" in sections["sessions"].rows_html
        assert "planned " in sections["sessions"].rows_html

    def test_the_page_writes_the_rows_given(self) -> None:
        response = self.client.get("/partner/")

        for section in response.context["sections"]:
            assert section.rows_html
            self.assertContains(response, section.rows_html)
            # Written once, by the section: its row template is not rendered as well.
            assert section.row_template not in [t.name for t in response.templates]
