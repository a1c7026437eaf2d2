from __future__ import annotations

import datetime as dt
import re

from icalendar import Calendar

from audit.models import AuditEvent
from pathways.testing import BaseTestCase, make_client
from scheduling.models import AppointmentStatus, CalendarFeed, Room
from scheduling.tests.factories import make_appointment, make_room
from scheduling.tests.support import at, future_day

FEED_URL = re.compile(r"https?://[^\s\"<]+/calendar/([A-Za-z0-9_-]{43})\.ics")


class FeedTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.day = future_day(weekday=2)
        self.room = make_room("Room 1 (dosing suite)", feed_label="Garden room")
        self.dana = make_client(
            first_name="Dana",
            last_name="Scully",
            email="dana.scully@example.com",
            preferred_name="Danny",
            assigned_therapist=self.therapist,
        )
        self.fox = make_client(
            first_name="Fox",
            last_name="Mulder",
            email="fox@example.com",
            assigned_therapist=self.therapist,
        )
        self.dosing = make_appointment(
            self.dana,
            self.therapist,
            at(self.day, "09:00"),
            minutes=180,
            type="kap_dosing",
            room=self.room,
        )
        self.emdr = make_appointment(
            self.fox, self.therapist, at(self.day, "14:00"), minutes=90, type="emdr"
        )

    def create_feed(self) -> str:
        """Make a feed as the therapist; return the path of the secret URL."""
        self.client.force_login(self.therapist)
        response = self.client.post("/staff/schedule/feed/new/")
        assert response.status_code == 302
        page = self.client.get("/staff/schedule/feed/").content.decode()
        found = FEED_URL.search(page)
        assert found is not None
        token = found.group(1)
        self.client.logout()
        return f"/calendar/{token}.ics"

    def test_it_serves_a_valid_calendar_of_the_clinicians_sessions(self) -> None:
        path = self.create_feed()

        response = self.client.get(path)

        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        cal = Calendar.from_ical(response.content)
        assert str(cal["VERSION"]) == "2.0"
        events = sorted(cal.walk("VEVENT"), key=lambda e: e.decoded("DTSTART"))
        assert [str(e["UID"]) for e in events] == [
            f"appt-{self.dosing.pk}@pathways",
            f"appt-{self.emdr.pk}@pathways",
        ]
        first = events[0]
        assert first.decoded("DTSTART") == self.dosing.starts_at
        assert first.decoded("DTEND") == self.dosing.ends_at
        assert str(first["SUMMARY"]) == "Session (D.S.)"
        assert str(first["LOCATION"]) == "Garden room"
        assert str(events[1]["SUMMARY"]) == "Session (F.M.)"
        assert "LOCATION" not in events[1]
        assert "DESCRIPTION" not in first

    def test_it_shows_no_place_for_a_room_without_a_feed_label(self) -> None:
        Room.objects.filter(pk=self.room.pk).update(feed_label="")
        path = self.create_feed()

        cal = Calendar.from_ical(self.client.get(path).content)

        assert all("LOCATION" not in event for event in cal.walk("VEVENT"))

    def test_the_feed_carries_no_client_name_e_mail_or_type_of_therapy(self) -> None:
        path = self.create_feed()

        body = self.client.get(path).content.decode().lower()

        for text in (
            "dana",
            "scully",
            "danny",
            "fox",
            "mulder",
            "dana.scully@example.com",
            "fox@example.com",
            "kap",
            "dosing",
            "emdr",
            "ketamine",
        ):
            assert text not in body, text

    def test_it_leaves_out_cancelled_other_clinicians_and_far_appointments(self) -> None:
        self.emdr.status = AppointmentStatus.CANCELLED
        self.emdr.save()
        make_appointment(self.fox, self.therapist2, at(self.day, "11:00"))
        make_appointment(self.fox, self.therapist, at(self.day + dt.timedelta(days=200), "11:00"))
        make_appointment(self.fox, self.therapist, at(self.day - dt.timedelta(days=60), "11:00"))
        path = self.create_feed()

        events = Calendar.from_ical(self.client.get(path).content).walk("VEVENT")

        assert [str(e["UID"]) for e in events] == [f"appt-{self.dosing.pk}@pathways"]

    def test_it_is_never_cached(self) -> None:
        path = self.create_feed()

        response = self.client.get(path)

        assert "no-store" in response["Cache-Control"]

    def test_it_stores_only_a_hash_of_the_token(self) -> None:
        path = self.create_feed()
        token = path.split("/")[-1].removesuffix(".ics")

        feed = CalendarFeed.objects.get()

        assert feed.token_hash != token
        assert len(feed.token_hash) == 64
        assert token not in str(list(CalendarFeed.objects.values()))
        assert token not in str(list(AuditEvent.objects.values()))

    def test_it_shows_the_url_only_once(self) -> None:
        self.create_feed()
        self.client.force_login(self.therapist)

        again = self.client.get("/staff/schedule/feed/")

        assert not FEED_URL.search(again.content.decode())
        self.assertContains(again, "A feed address is active since")

    def test_a_revoked_feed_answers_404(self) -> None:
        path = self.create_feed()
        self.client.force_login(self.therapist)

        self.client.post("/staff/schedule/feed/revoke/")
        self.client.logout()

        assert self.client.get(path).status_code == 404
        assert CalendarFeed.objects.get().revoked_at is not None

    def test_a_new_feed_replaces_the_old_one(self) -> None:
        old = self.create_feed()
        new = self.create_feed()

        assert self.client.get(old).status_code == 404
        assert self.client.get(new).status_code == 200

    def test_an_unknown_token_answers_404(self) -> None:
        self.create_feed()

        assert self.client.get("/calendar/" + "A" * 43 + ".ics").status_code == 404
        assert self.client.get("/calendar/short.ics").status_code == 404

    def test_a_deactivated_clinicians_feed_answers_404(self) -> None:
        path = self.create_feed()
        self.therapist.is_active = False
        self.therapist.save()

        assert self.client.get(path).status_code == 404

    def test_it_audits_each_read_with_ids_only(self) -> None:
        path = self.create_feed()

        self.client.get(path)

        event = AuditEvent.objects.get(action="calendar_feed.read")
        assert event.actor == self.therapist
        assert event.detail == {"appointments": [self.dosing.pk, self.emdr.pk]}

    def test_the_feed_page_is_for_clinicians(self) -> None:
        for user in (self.intake, self.prescriber, self.admin):
            self.client.force_login(user)
            assert self.client.get("/staff/schedule/feed/").status_code == 403
            assert self.client.post("/staff/schedule/feed/new/").status_code == 403
        assert CalendarFeed.objects.count() == 0
