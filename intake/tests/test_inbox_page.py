"""The inbox's first page, unfiltered, read by SQL compiled once (intake.inbox_page), is
the page the ORM reads: the same requests in the same order, with what the rows show,
for the intake team and for a therapist (their own); later pages are the ORM's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from intake.inbox_page import INBOX_FIELDS, PAGE_SIZE, inbox_page, requests_for
from intake.models import AppointmentRequest, RequestStatus
from pathways.testing import BaseTestCase, make_request


def _shown(appt: AppointmentRequest) -> tuple[Any, ...]:
    """What a row of the inbox shows of a request."""
    assigned = appt.assigned_to.display_name if appt.assigned_to else None
    service = appt.service.title if appt.service else None
    return (appt.pk, appt.created_at, appt.full_name, appt.status, service, assigned)


class InboxPageTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        now = timezone.now()
        for n in range(PAGE_SIZE + 12):
            appt = make_request(
                first_name=f"Asker{n}",
                service=cls.service if n % 3 else None,
                assigned_to=cls.therapist if n % 2 else None,
                status=RequestStatus.CONTACTED if n % 5 == 0 else RequestStatus.NEW,
            )
            # Two at the same moment now and then: the order falls back on the id.
            AppointmentRequest.objects.filter(pk=appt.pk).update(
                created_at=now - timedelta(hours=n - n % 4)
            )

    def orm_page(self, user: User, number: int) -> list[tuple[Any, ...]]:
        shown = requests_for(user).only(*INBOX_FIELDS)
        start = (number - 1) * PAGE_SIZE
        return [_shown(a) for a in shown[start : start + PAGE_SIZE]]

    def test_it_reads_the_first_page_the_orm_reads(self) -> None:
        for user in (self.intake, self.admin, self.therapist):
            with self.subTest(user=user.username):
                page = inbox_page(user, requests_for(user), None, filtered=False)
                assert [_shown(a) for a in page] == self.orm_page(user, 1)
                count = requests_for(user).count()
                assert len(page) == min(PAGE_SIZE, count)
                # The count the caption and the page links show, read without the ORM.
                assert page.paginator.count == count
                assert count != AppointmentRequest.objects.count() or user != self.therapist
        # The therapist's page holds only their own.
        own = inbox_page(self.therapist, requests_for(self.therapist), "1", filtered=False)
        assert {a.assigned_to_id for a in own} == {self.therapist.pk}

    def test_it_leaves_a_later_or_filtered_page_to_the_orm(self) -> None:
        later = inbox_page(self.intake, requests_for(self.intake), "2", filtered=False)
        assert later.number == 2
        assert later.paginator.count == AppointmentRequest.objects.count()
        own = inbox_page(self.therapist, requests_for(self.therapist), "9", filtered=False)
        assert own.number == own.paginator.num_pages  # the last page, as Django's get_page
        assert [_shown(a) for a in later] == self.orm_page(self.intake, 2)
        contacted = requests_for(self.intake).filter(status=RequestStatus.CONTACTED)
        page = inbox_page(self.intake, contacted, None, filtered=True)
        assert {a.status for a in page} == {RequestStatus.CONTACTED}

    def test_it_reads_the_page_in_two_queries(self) -> None:
        with CaptureQueriesContext(connection) as ctx:
            page = inbox_page(self.intake, requests_for(self.intake), None, filtered=False)
            [_shown(a) for a in page]
        assert len(ctx.captured_queries) == 2  # the count, the rows with their joins
