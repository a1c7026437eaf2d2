"""Two bookings of the same slot at the same moment: exactly one wins.

The threaded test needs a database that serves two writers at once with row
locks (PostgreSQL); the sequential refusal runs everywhere.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from accounts.actor import Actor
from accounts.models import Role
from pathways.testing import make_client, make_user
from scheduling.models import Appointment
from scheduling.services import Booking, BookingClash, appointment_book
from scheduling.tests.factories import make_room
from scheduling.tests.support import at, booking, future_day

pytestmark = pytest.mark.django_db(transaction=True)


def race(bookings: list[Booking], booker: Any) -> list[str]:
    barrier = threading.Barrier(len(bookings))
    outcomes: list[str] = []

    def book(data: Booking) -> None:
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            appointment_book(actor=Actor.for_user(booker), booking=data)
            outcomes.append("booked")
        except BookingClash:
            outcomes.append("refused")
        except Exception as exc:  # the test reports any other failure
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(data,)) for data in bookings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


def _practice() -> dict[str, Any]:
    theo = make_user("theo", Role.THERAPIST, first_name="Theo")
    tess = make_user("tess", Role.THERAPIST, first_name="Tess")
    intake = make_user("ivy", Role.INTAKE)
    return {
        "theo": theo,
        "tess": tess,
        "intake": intake,
        "dana": make_client(first_name="Dana", last_name="Scully", assigned_therapist=theo),
        "fox": make_client(first_name="Fox", last_name="Mulder", assigned_therapist=theo),
        "room": make_room("Garden room"),
        "room2": make_room("Blue room"),
        "day": future_day(weekday=3),
    }


def _skip_on_sqlite() -> None:
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database cannot serve two writers at once")


def test_it_books_the_same_clinician_slot_once_when_two_requests_race() -> None:
    _skip_on_sqlite()
    p = _practice()
    start = at(p["day"], "10:00")
    bookings = [
        booking(p["dana"], p["theo"], start, room=p["room"]),
        booking(p["fox"], p["theo"], start, room=p["room2"]),
    ]

    assert race(bookings, p["intake"]) == ["booked", "refused"]
    assert Appointment.objects.filter(clinician=p["theo"]).count() == 1


def test_it_books_the_same_room_once_when_two_requests_race() -> None:
    _skip_on_sqlite()
    p = _practice()
    start = at(p["day"], "10:00")
    bookings = [
        booking(p["dana"], p["theo"], start, room=p["room"]),
        booking(p["fox"], p["tess"], at(p["day"], "10:30"), room=p["room"]),
    ]

    assert race(bookings, p["intake"]) == ["booked", "refused"]
    assert Appointment.objects.filter(room=p["room"]).count() == 1


def test_it_books_both_when_two_requests_race_for_different_slots() -> None:
    _skip_on_sqlite()
    p = _practice()
    bookings = [
        booking(p["dana"], p["theo"], at(p["day"], "10:00"), room=p["room"]),
        booking(p["fox"], p["tess"], at(p["day"], "10:00"), room=p["room2"]),
    ]

    assert race(bookings, p["intake"]) == ["booked", "booked"]


def test_it_refuses_the_second_of_two_bookings_one_after_the_other() -> None:
    p = _practice()
    start = at(p["day"], "10:00")
    actor = Actor.for_user(p["intake"])
    appointment_book(actor=actor, booking=booking(p["dana"], p["theo"], start))

    with pytest.raises(BookingClash):
        appointment_book(actor=actor, booking=booking(p["fox"], p["theo"], start))

    assert Appointment.objects.count() == 1
