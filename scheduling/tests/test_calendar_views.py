from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from django.utils import timezone

from audit.models import AuditEvent
from clients.models import BreakGlassGrant
from clients.tests.factories import make_grant, name_for_break_glass
from pathways.testing import BaseTestCase, make_client
from scheduling.models import AppointmentStatus
from scheduling.tests.factories import make_appointment, make_room
from scheduling.tests.support import at, future_day

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

URL = "/staff/schedule/"


BLOCK = re.compile(r'<(a|div) class="cal-appt ([^"]*)"([^>]*)>(.*?)</\1>', re.S)


def cell_texts(html: str) -> list[str]:
    """The text inside each appointment block of the grid."""
    return [match[3] for match in BLOCK.findall(html)]


def columns(html: str) -> list[str]:
    """Each column of the grid (its heading and body), in order."""
    return re.findall(r'<section class="cal-col[^"]*"(.*?)</section>', html, re.S)


class CalendarTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.monday = future_day(weekday=0)
        self.tuesday = self.monday + dt.timedelta(days=1)
        self.room = make_room("Garden room")
        self.dana = make_client(
            first_name="Dana", last_name="Scully", assigned_therapist=self.therapist
        )
        self.fox = make_client(
            first_name="Fox", last_name="Mulder", assigned_therapist=self.therapist2
        )
        self.mine = make_appointment(
            self.dana,
            self.therapist,
            at(self.tuesday, "09:30"),
            minutes=180,
            type="ka_emdr_dosing",
            room=self.room,
        )
        self.theirs = make_appointment(
            self.fox,
            self.therapist2,
            at(self.tuesday, "14:00"),
            minutes=90,
            type="emdr",
            room=self.room,
        )

    def get(self, **params: str | int) -> TestResponse:
        return self.client.get(URL, params)

    def test_it_shows_a_clinicians_week_with_name_type_time_and_status(self) -> None:
        self.client.force_login(self.intake)

        response = self.get(clinician=self.therapist.pk, date=self.tuesday.isoformat())

        assert response.status_code == 200
        html = response.content.decode()
        assert len(cell_texts(html)) == 1
        self.assertContains(response, "Dana Scully")
        self.assertContains(response, "KA-EMDR dosing")
        self.assertContains(response, "09:30–12:30")
        self.assertContains(response, "badge-waiting status-scheduled")
        self.assertNotContains(response, "Mulder")
        for offset in range(7):
            day = self.monday + dt.timedelta(days=offset)
            self.assertContains(response, f"date={day.isoformat()}")

    def test_it_draws_each_appointment_in_its_day_column_over_its_whole_length(self) -> None:
        self.client.force_login(self.intake)

        response = self.get(clinician=self.therapist.pk, date=self.monday.isoformat())

        cols = columns(response.content.decode())
        assert len(cols) == 7
        assert "Dana Scully" in cols[1]  # Tuesday
        assert all("cal-appt" not in c for i, c in enumerate(cols) if i != 1)
        # 09:30 is the 7th row of 15 minutes from 08:00; three hours span 12 rows.
        (block,) = BLOCK.findall(cols[1])
        assert "cal-r7 " in block[1]
        assert "cal-s12 " in block[1]
        assert "type-ka_emdr_dosing" in block[1]

    def test_it_links_each_free_half_hour_to_the_booking_form_with_ids_and_time(self) -> None:
        self.client.force_login(self.intake)

        response = self.get(clinician=self.therapist.pk, date=self.monday.isoformat())

        cols = columns(response.content.decode())
        tuesday = self.tuesday.isoformat()
        free = f'href="/staff/schedule/new/?clinician={self.therapist.pk}&amp;date={tuesday}'
        assert f'{free}&amp;start=09:00"' in cols[1]
        assert f'{free}&amp;start=12:30"' in cols[1]
        # The half hours under the dosing session are not offered.
        for taken in ("09:30", "10:00", "11:30", "12:00"):
            assert f"{free}&amp;start={taken}" not in cols[1]

    def test_it_shows_every_clinician_side_by_side_in_the_day_view(self) -> None:
        self.client.force_login(self.admin)

        response = self.get(view="day", by="clinician", date=self.tuesday.isoformat())

        cols = columns(response.content.decode())
        assert len(cols) == 2
        theo = next(c for c in cols if f'id="col-c{self.therapist.pk}"' in c)
        tess = next(c for c in cols if f'id="col-c{self.therapist2.pk}"' in c)
        assert "Dana Scully" in theo
        assert "Fox Mulder" not in theo
        assert "Fox Mulder" in tess
        assert "Dana Scully" not in tess
        event = AuditEvent.objects.get(action="schedule.view")
        assert event.detail["by"] == "clinician"
        assert event.detail["appointments"] == sorted([self.mine.pk, self.theirs.pk])

    def test_it_shows_every_room_side_by_side_in_the_day_view(self) -> None:
        other = make_room("Lake room")
        make_appointment(self.dana, self.therapist, at(self.tuesday, "15:00"), room=other)
        self.client.force_login(self.admin)

        response = self.get(view="day", by="room", date=self.tuesday.isoformat())

        cols = columns(response.content.decode())
        assert len(cols) == 2
        assert "Garden room" in cols[0]
        assert cols[0].count("cal-appt ") == 2
        assert "Lake room" in cols[1]
        assert cols[1].count("cal-appt ") == 1
        free = f"room={other.pk}&amp;date={self.tuesday.isoformat()}&amp;start=09:00"
        assert free in cols[1]

    def test_it_shows_a_day_view_with_links_to_the_days_around(self) -> None:
        self.client.force_login(self.intake)

        response = self.get(clinician=self.therapist.pk, date=self.tuesday.isoformat(), view="day")

        self.assertContains(response, "Dana Scully")
        monday, wednesday = (
            self.monday.isoformat(),
            (self.tuesday + dt.timedelta(days=1)).isoformat(),
        )
        self.assertContains(
            response, f"view=day&amp;clinician={self.therapist.pk}&amp;date={monday}"
        )
        self.assertContains(
            response, f"view=day&amp;clinician={self.therapist.pk}&amp;date={wednesday}"
        )

        other_day = self.get(clinician=self.therapist.pk, date=self.monday.isoformat(), view="day")
        self.assertNotContains(other_day, "Dana Scully")

    def test_it_links_to_the_weeks_before_and_after(self) -> None:
        self.client.force_login(self.intake)

        response = self.get(clinician=self.therapist.pk, date=self.tuesday.isoformat())

        week_before = (self.tuesday - dt.timedelta(days=7)).isoformat()
        week_after = (self.tuesday + dt.timedelta(days=7)).isoformat()
        self.assertContains(response, f"date={week_before}")
        self.assertContains(response, f"date={week_after}")

    def test_it_shows_a_rooms_week_with_every_clinician(self) -> None:
        self.client.force_login(self.admin)

        response = self.get(room=self.room.pk, date=self.tuesday.isoformat())

        assert len(cell_texts(response.content.decode())) == 2
        self.assertContains(response, "Dana Scully")
        self.assertContains(response, "Fox Mulder")
        self.assertContains(response, "Tess")

    def test_it_leaves_out_cancelled_appointments(self) -> None:
        self.mine.status = AppointmentStatus.CANCELLED
        self.mine.save()
        self.client.force_login(self.intake)

        response = self.get(clinician=self.therapist.pk, date=self.tuesday.isoformat())

        self.assertNotContains(response, "Dana Scully")

    def test_a_therapist_sees_their_own_week_by_default(self) -> None:
        self.client.force_login(self.therapist)

        response = self.get(date=self.tuesday.isoformat())

        self.assertContains(response, "Schedule: Theo")
        self.assertContains(response, "Dana Scully")

    def test_a_therapist_sees_other_clients_only_as_busy(self) -> None:
        self.client.force_login(self.therapist)

        response = self.get(room=self.room.pk, date=self.tuesday.isoformat())

        cells = cell_texts(response.content.decode())
        assert len(cells) == 2
        busy = next(c for c in cells if "14:00" in c)
        assert "Busy" in busy
        assert "Mulder" not in busy
        assert "EMDR" not in busy
        assert "href" not in busy
        self.assertNotContains(response, "Mulder")
        self.assertNotContains(response, f"/staff/schedule/{self.theirs.pk}/")

    def test_a_therapist_holding_emergency_access_sees_that_clients_appointment(self) -> None:
        # Through the middleware, which reads the grants once a request: with a grant in
        # force the calendar reads through the ORM, without one through its compiled read.
        on_call = name_for_break_glass(self.therapist)
        grant = make_grant(on_call, self.theirs.client)
        self.client.force_login(on_call)

        response = self.get(room=self.room.pk, date=self.tuesday.isoformat())

        # (The emergency-access banner names the client too: the cell is what counts.)
        held = next(c for c in cell_texts(response.content.decode()) if "14:00" in c)
        assert "Mulder" in held
        assert "Busy" not in held
        BreakGlassGrant.objects.filter(pk=grant.pk).update(ended_at=timezone.now())
        response = self.get(room=self.room.pk, date=self.tuesday.isoformat())
        ended = next(c for c in cell_texts(response.content.decode()) if "14:00" in c)
        assert "Busy" in ended
        self.assertNotContains(response, "Mulder")

    def test_a_therapist_gets_404_for_another_therapists_appointment(self) -> None:
        self.client.force_login(self.therapist)

        assert self.client.get(f"/staff/schedule/{self.theirs.pk}/").status_code == 404
        assert self.client.get(f"/staff/schedule/{self.mine.pk}/").status_code == 200

    def test_it_shows_errors_beside_bad_filters_and_never_fails(self) -> None:
        self.client.force_login(self.intake)

        response = self.get(date="2026-13-45", clinician="abc", room="999999", view="month")

        assert response.status_code == 200
        self.assertContains(response, 'id="id_date_error"')
        self.assertContains(response, 'id="id_view_error"')
        self.assertContains(response, 'value="2026-13-45"')

    def test_it_asks_for_a_clinician_or_room_when_none_is_chosen(self) -> None:
        self.client.force_login(self.intake)

        response = self.get()

        self.assertContains(response, "Choose a clinician or a room")

    def test_it_audits_the_view_with_ids_only(self) -> None:
        self.client.force_login(self.therapist)

        self.get(room=self.room.pk, date=self.tuesday.isoformat())

        event = AuditEvent.objects.get(action="schedule.view")
        assert event.object_type == "scheduling.room"
        assert event.detail == {
            "view": "week",
            "date": self.tuesday.isoformat(),
            "appointments": [self.mine.pk],
        }

    def test_it_refuses_a_prescriber(self) -> None:
        self.client.force_login(self.prescriber)

        assert self.get(clinician=self.therapist.pk).status_code == 403
