"""A blank form written once (common.forms.blank_form) writes what the form writes,
for every form of the project made without arguments; a form whose blank fields could
differ from one time to the next is made and written each time."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django import forms
from django.test import override_settings
from django.utils import timezone

from common import forms as common_forms
from common.dates import bound_date
from common.forms import KeptForm, blank_form
from common.tests.test_form_html import _project_forms, _takes_data_alone
from pathways.testing import BaseTestCase
from website.models import Service


class Computed(forms.Form):
    when = forms.DateTimeField(initial=timezone.now)


class FromTheDatabase(forms.Form):
    service = forms.ModelChoiceField(queryset=Service.objects.all())


class CallableChoices(forms.Form):
    kind = forms.ChoiceField(choices=lambda: [("a", "A")])


class BlankFormTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        common_forms._BLANK.clear()

    def test_it_writes_every_blank_form_as_the_form_does(self) -> None:
        kept = 0
        for cls in _project_forms():
            if not _takes_data_alone(cls):
                continue
            for prefix in (None, "item"):
                with self.subTest(form=cls.__qualname__, prefix=prefix):
                    expected = str(cls(prefix=prefix))
                    first, again = blank_form(cls, prefix=prefix), blank_form(cls, prefix=prefix)
                    assert str(first) == expected
                    assert str(again) == expected
                    kept += isinstance(again, KeptForm)
        # Most forms are fixed: the check above compares kept text, not only fresh forms.
        assert kept > 40

    def test_it_makes_a_form_of_computed_fields_each_time(self) -> None:
        for cls in (Computed, FromTheDatabase, CallableChoices):
            with self.subTest(form=cls.__name__):
                assert isinstance(blank_form(cls), cls)
                assert isinstance(blank_form(cls), cls)
        assert not common_forms._BLANK

    def test_it_reads_as_a_blank_form_in_a_template(self) -> None:
        from clients.forms import AllergyForm

        kept = blank_form(AllergyForm, prefix="allergy")
        kept = blank_form(AllergyForm, prefix="allergy")
        assert isinstance(kept, KeptForm)
        assert not kept.errors
        assert 'name="allergy-substance"' in str(kept)

    def test_it_forgets_them_when_a_setting_changes(self) -> None:
        from clients.forms import AllergyForm

        blank_form(AllergyForm)
        assert common_forms._BLANK
        with override_settings(PRACTICE_NAME="Another practice"):
            assert not common_forms._BLANK

    def test_it_writes_a_single_field_as_its_group(self) -> None:
        # The chart's export panel writes `{{ form }}` where it wrote the one field's group.
        from interop.views import ExportForm

        for _ in range(2):
            kept = blank_form(ExportForm, auto_id="fhir_export_%s")
            fresh = ExportForm(auto_id="fhir_export_%s")
            assert str(kept) == str(fresh["purpose"].as_field_group())
            assert 'id="fhir_export_purpose"' in str(kept)


class Dated(forms.Form):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        bound_date(self.fields["day"])

    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class DayTests(BaseTestCase):
    def test_it_writes_a_date_fields_range_of_the_day(self) -> None:
        common_forms._BLANK.clear()
        today = str(blank_form(Dated))
        later = timezone.now() + dt.timedelta(days=1)
        with mock.patch("django.utils.timezone.now", return_value=later):
            tomorrow = str(blank_form(Dated))
            assert tomorrow == str(Dated())
        assert today != tomorrow
        assert str(blank_form(Dated)) == today
