"""The inbox's filter lists the services from SQL compiled once (intake.forms'
`ServiceField`): the same choices, the same markup, and the same checks as Django's
ModelChoiceField, a service added or renamed at once."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from common.dates import plausible
from intake.forms import InboxFilterForm, blank_inbox_filters
from pathways.testing import BaseTestCase, make_service
from website.models import Service


class DjangosFilterForm(InboxFilterForm):
    service = forms.ModelChoiceField(  # type: ignore[assignment]  # Django's own, to compare
        queryset=Service.objects.all(), required=False, empty_label="Any service"
    )


class InboxFilterFormTestCase(BaseTestCase):
    def test_it_lists_and_writes_the_services_as_django_does(self) -> None:
        make_service("emdr", title="EMDR <& more>", published=False)
        for data in (None, {}, {"service": str(self.service.pk)}, {"service": "999999"}):
            with self.subTest(data=data):
                ours, djangos = InboxFilterForm(data), DjangosFilterForm(data)
                mine, theirs = ours.fields["service"], djangos.fields["service"]
                assert isinstance(mine, forms.ModelChoiceField)
                assert isinstance(theirs, forms.ModelChoiceField)
                assert list(mine.iterator(mine)) == list(theirs.iterator(theirs))
                assert str(ours["service"]) == str(djangos["service"])
                if data is not None:
                    assert ours.is_valid() == djangos.is_valid()
                    assert ours.errors == djangos.errors
                    assert ours.cleaned_data.get("service") == djangos.cleaned_data.get("service")
        # Some of each: an unpublished service is still a filter of the inbox.
        assert "EMDR &lt;&amp; more&gt;" in str(InboxFilterForm()["service"])

    def test_it_shows_a_change_at_once(self) -> None:
        form = InboxFilterForm()
        str(form["service"])
        Service.objects.filter(pk=self.service.pk).update(title="Renamed service")
        assert "Renamed service" in str(InboxFilterForm()["service"])

    def test_it_lists_them_in_one_query(self) -> None:
        with CaptureQueriesContext(connection) as ctx:
            str(InboxFilterForm()["service"])
        assert len(ctx.captured_queries) == 1


class KeptFiltersTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.intake)

    def page(self, query: str = "") -> str:
        response = self.client.get(f"/staff/requests/{query}")
        assert response.status_code == 200
        return response.content.decode()

    def test_it_writes_the_blank_filters_as_the_form_does(self) -> None:
        blank = str(InboxFilterForm())
        for query in ("", "?page=1", "?page=2"):
            with self.subTest(query=query):
                assert blank in self.page(query)
        # Written as kept: the same text again.
        assert blank_inbox_filters() == blank

    def test_it_lists_a_changed_service_at_once(self) -> None:
        self.page()
        Service.objects.filter(pk=self.service.pk).update(title="Renamed service")
        assert "Renamed service" in self.page()
        make_service("emdr", title="Ketamine-assisted EMDR")
        assert "Ketamine-assisted EMDR" in self.page()

    def test_it_keeps_what_was_asked_for_beside_the_filters(self) -> None:
        page = self.page("?status=contacted&received_from=2026-01-02")
        assert '<option value="contacted" selected>' in page
        assert 'value="2026-01-02"' in page
        # A day out of range: the message beside the field, the inbox unfiltered.
        page = self.page("?received_to=0001-01-01")
        assert 'id="id_received_to_error"' in page

    def test_it_writes_the_days_date_range_the_next_day(self) -> None:
        # The date fields carry the plausible range (common.dates.bound_date), which
        # moves with the day: a kept form is the day's.
        # (The form itself: a day later the session would have timed out.)
        today = blank_inbox_filters()
        later = timezone.now() + dt.timedelta(days=1)
        with mock.patch("django.utils.timezone.now", return_value=later):
            tomorrow = blank_inbox_filters()
            expected = str(InboxFilterForm())
        latest = plausible(timezone.localdate(later)).latest.isoformat()
        assert f'max="{latest}"' in tomorrow
        assert f'max="{latest}"' not in today
        assert tomorrow == expected
