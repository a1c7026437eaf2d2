from __future__ import annotations

import datetime as dt

from django.utils import timezone

from partners.models import ReferralStatus
from pathways.testing import (
    make_client,
    make_course,
    make_prescription,
    make_referral,
    make_session,
)
from prescriptions.models import RxStatus
from prescriptions.queries import active_chain_for, active_prescription_for, chain_history
from prescriptions.tests.helpers import RxTestCase
from treatment.models import SessionKind

DAY = dt.date(2026, 3, 10)


class ActivePrescriptionTestCase(RxTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.rx = make_prescription(
            self.referral,
            self.prescriber,
            valid_from=DAY,
            valid_to=DAY + dt.timedelta(days=30),
        )

    def test_it_includes_the_first_and_last_valid_days(self) -> None:
        assert active_prescription_for(self.rx_client, DAY) == self.rx
        assert active_prescription_for(self.rx_client, DAY + dt.timedelta(days=30)) == self.rx
        assert active_prescription_for(self.rx_client.pk, DAY + dt.timedelta(days=5)) == self.rx

    def test_it_excludes_the_days_outside(self) -> None:
        assert active_prescription_for(self.rx_client, DAY - dt.timedelta(days=1)) is None
        assert active_prescription_for(self.rx_client, DAY + dt.timedelta(days=31)) is None

    def test_it_excludes_superseded_versions(self) -> None:
        self.rx.status = RxStatus.SUPERSEDED
        self.rx.save()

        assert active_prescription_for(self.rx_client, DAY) is None

    def test_it_returns_the_active_version_of_a_revised_chain(self) -> None:
        self.rx.status = RxStatus.SUPERSEDED
        self.rx.save()
        v2 = make_prescription(
            self.referral,
            self.prescriber,
            chain=self.rx,
            version=2,
            valid_from=DAY,
            valid_to=DAY + dt.timedelta(days=30),
        )

        assert active_prescription_for(self.rx_client, DAY) == v2
        assert [row.rx for row in chain_history(self.rx)] == [v2, self.rx]

    def test_it_excludes_discontinued_versions(self) -> None:
        self.rx.status = RxStatus.DISCONTINUED
        self.rx.discontinued_at = timezone.now()
        self.rx.save()

        assert active_prescription_for(self.rx_client, DAY) is None
        assert active_chain_for(self.rx_client) is None

    def test_it_never_returns_another_clients_prescription(self) -> None:
        other = make_client(first_name="Other", assigned_therapist=self.therapist)
        make_referral(other, self.partner, self.therapist, status=ReferralStatus.ELIGIBLE)

        assert active_prescription_for(other, DAY) is None


class SessionsLeftTestCase(RxTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.rx = make_prescription(self.referral, self.prescriber, sessions_authorised=3)
        self.course = make_course(self.rx_client, self.therapist)

    def test_it_counts_started_dosing_sessions_only(self) -> None:
        now = timezone.now()
        make_session(self.course, prescription=self.rx, started_at=now)
        make_session(self.course, prescription=self.rx)  # planned, not started
        make_session(self.course, SessionKind.INTEGRATION, prescription=self.rx, started_at=now)

        assert (self.rx.sessions_used(), self.rx.sessions_left()) == (1, 2)

    def test_it_counts_sessions_on_every_version_of_the_chain(self) -> None:
        self.rx.status = RxStatus.SUPERSEDED
        self.rx.save()
        v2 = make_prescription(
            self.referral, self.prescriber, chain=self.rx, version=2, sessions_authorised=4
        )
        make_session(self.course, prescription=self.rx, started_at=timezone.now())
        make_session(self.course, prescription=v2, started_at=timezone.now())

        assert (v2.sessions_used(), v2.sessions_left()) == (2, 2)
        assert self.rx.sessions_used() == 2

    def test_it_never_goes_below_zero(self) -> None:
        for _ in range(4):
            make_session(self.course, prescription=self.rx, started_at=timezone.now())

        assert self.rx.sessions_left() == 0
