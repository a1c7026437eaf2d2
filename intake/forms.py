from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.safestring import SafeString

from accounts.models import Role, User
from common.dates import bound_date
from common.prepared import Prepared
from intake.models import FORWARD, RequestStatus
from website.models import Service
from website.page_cache import cached_fragment


@Prepared
def _services() -> QuerySet[Service]:
    # The field's own queryset, as its choices list it (test_inbox_filter_form.py).
    return Service.objects.all()


class _ServiceChoices(ModelChoiceIterator[Service]):
    """The services as `ModelChoiceIterator` lists them, read by SQL compiled once
    (common.prepared): the inbox's filter lists them on every view, and building the
    query was a twentieth of the page's work at 10,000 clients (issue 14). A chosen
    service is still checked by the field's queryset."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        listed = getattr(self.field, "listed", None)
        for service in _services() if listed is None else listed:
            yield self.choice(service)


class ServiceField(forms.ModelChoiceField[Service]):
    iterator = _ServiceChoices
    listed: list[Service] | None = None  # the services, when the caller has read them


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Any status"), *RequestStatus.choices], required=False
    )
    service = ServiceField(
        queryset=Service.objects.all(), required=False, empty_label="Any service"
    )
    received_from = forms.DateField(
        label="Received from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label="Received to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A day from a link or typed: outside the plausible range, the inbox is shown
        # unfiltered with the message beside the field.
        bound_date(self.fields["received_from"])
        bound_date(self.fields["received_to"])

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", "The end date is before the start date.")
        return data


# The inbox's filters: a request that names none of them shows the blank form.
INBOX_FILTERS = ("status", "service", "received_from", "received_to")


def blank_inbox_filters() -> SafeString:
    """The inbox's blank filter form, written once for each version of the services it
    lists and kept in the process's memory (website.page_cache, which also keeps the
    public pages' blank forms): writing its fields was a tenth of the inbox's work at
    10,000 clients (issue 14). It holds the status labels, the services' titles and the
    day's date range, the same for everyone: no one's data, and no token (a GET form)."""
    services = _services()

    def render() -> SafeString:
        form = InboxFilterForm()
        field = form.fields["service"]
        if isinstance(field, ServiceField):
            field.listed = services  # read once, for the key and the choices alike
        return SafeString(form.render())

    # Its date fields carry the plausible range (common.dates.bound_date), which moves
    # with the day: kept per day as well as per version of the services.
    day = timezone.localdate().isoformat()
    return cached_fragment(
        name=f"staff-inbox-filters:{day}", shown=services, render_fragment=render
    )


class StatusForm(forms.Form):
    """The forward moves only: closing a request goes through its confirm."""

    status = forms.ChoiceField(
        choices=[(value, label) for value, label in RequestStatus.choices if value in FORWARD]
    )


def clinicians() -> forms.ModelChoiceField[User]:
    return forms.ModelChoiceField(
        queryset=User.objects.filter(role=Role.THERAPIST, is_active=True),
        required=False,
        empty_label="Nobody yet",
        label="Assigned clinician",
    )


class AssignForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinician"] = clinicians()


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Add an internal note",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 4000}),
        help_text="Staff only. The requester never sees notes.",
    )
