from __future__ import annotations

import datetime as dt
from abc import ABCMeta, abstractmethod
from collections.abc import Iterator
from typing import Any, TypeVar

from django import forms
from django.db.models import Model
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils import timezone

from accounts.access import AuthedRequest
from accounts.models import User
from clients.access import clients_for_user
from clients.models import Client
from common.dates import appointment_days, bound_date, plausible
from scheduling.models import (
    APPOINTMENT_TRANSITIONS,
    DEFAULT_MINUTES,
    AppointmentStatus,
    AppointmentType,
    Room,
)
from scheduling.queries import clinicians, session_problem
from scheduling.services import MAX_MINUTES, MAX_SERIES_WEEKS, MIN_MINUTES
from treatment.models import SessionStatus, TreatmentSession

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
M = TypeVar("M", bound=Model)
USUAL = ", ".join(f"{AppointmentType(t).label} {m}" for t, m in DEFAULT_MINUTES.items())


class LabelsOnly(ModelChoiceIterator):  # type: ignore[type-arg]
    """The options of a long select read as values, without making a model object
    each: at 10,000 clients the calendar's filters offer 126 clinicians and 126 rooms,
    and making and dropping a User or a Room for each option was 60% of the work of
    writing those selects (issue 14). The field names the values its label needs
    (`label_fields`) and writes the label from them (`label_from_values`), as
    `label_from_instance` writes it from the object. What a choice is checked against
    when the form is posted does not change: the field's queryset, as before."""

    field: LabelledChoiceField[Any]

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        field = self.field
        if field.empty_label is not None:
            yield ("", field.empty_label)
        rows = self.queryset.values_list("pk", *field.label_fields)
        for pk, *values in rows.iterator():
            # No object: the point. Nothing here reads an option's `instance`.
            value = ModelChoiceIteratorValue(pk, None)  # type: ignore[arg-type]
            yield (value, field.label_from_values(*values))


class LabelledChoiceField(forms.ModelChoiceField[M], metaclass=ABCMeta):
    """A model choice field whose options LabelsOnly reads: a subclass names
    `label_fields` and writes `label_from_values` (a subclass without it cannot be made),
    saying what its `label_from_instance` says."""

    iterator = LabelsOnly
    label_fields: tuple[str, ...]

    @abstractmethod
    def label_from_values(self, *values: Any) -> str:
        """The label from the values of `label_fields`, in their order."""


class ClinicianField(LabelledChoiceField[User]):
    label_fields = User.DISPLAY_NAME_FIELDS

    def label_from_instance(self, obj: User) -> str:
        return str(obj.display_name)

    def label_from_values(self, *values: Any) -> str:
        return User.display_name_of(*values)


class RoomField(LabelledChoiceField[Room]):
    label_fields = ("name",)

    def label_from_instance(self, obj: Room) -> str:
        return str(obj)

    def label_from_values(self, *values: Any) -> str:
        return str(values[0])  # as Room.__str__


class ClientField(forms.ModelChoiceField[Client]):
    def label_from_instance(self, obj: Client) -> str:
        born = f" (born {obj.date_of_birth:%Y-%m-%d})" if obj.date_of_birth else ""
        return f"{obj.last_name}, {obj.first_name}{born}"


class SessionField(forms.ModelChoiceField[TreatmentSession]):
    def label_from_instance(self, obj: TreatmentSession) -> str:
        return f"{obj.course.client.full_name}: {obj.label}"


def aware(day: dt.date, start: dt.time) -> dt.datetime | None:
    """`day` at `start` in the practice's time zone, or None if the clocks skip it."""
    tz = timezone.get_default_timezone()
    naive = dt.datetime.combine(day, start)
    # In UTC, so that adding a length counts real minutes across a clock change.
    value = timezone.make_aware(naive, tz).astimezone(dt.UTC)
    # A time in the spring-forward gap does not exist: it comes back changed.
    if value.astimezone(tz).replace(tzinfo=None) != naive:
        return None
    return value


class WhenMixin:
    """Date + start time + length → aware `starts_at` and `ends_at`."""

    duration_required = True

    def clean_when(self, cleaned: dict[str, Any], type_: str | None) -> None:
        form: forms.Form = self  # type: ignore[assignment]  # mixed into Forms only
        day, start = cleaned.get("date"), cleaned.get("start")
        minutes = cleaned.get("duration")
        if day is None or start is None:
            return
        starts_at = aware(day, start)
        if starts_at is None:
            form.add_error("start", "This time does not exist on that day (the clocks change).")
            return
        if minutes is None:
            if type_ is None:
                return
            minutes = DEFAULT_MINUTES[type_]
        cleaned["starts_at"] = starts_at
        cleaned["ends_at"] = starts_at + dt.timedelta(minutes=minutes)


class AppointmentForm(WhenMixin, forms.Form):
    client = ClientField(queryset=Client.objects.none(), label="Client")
    type = forms.ChoiceField(label="Appointment type", choices=AppointmentType.choices)
    clinician = ClinicianField(queryset=User.objects.none(), label="Clinician")
    room = RoomField(
        queryset=Room.objects.filter(active=True),
        required=False,
        label="Room",
        empty_label="No room (telehealth or elsewhere)",
    )
    date = forms.DateField(label="Date", widget=DATE_WIDGET)
    start = forms.TimeField(label="Start time", widget=TIME_WIDGET)
    duration = forms.IntegerField(
        label="Length in minutes (optional)",
        required=False,
        min_value=MIN_MINUTES,
        max_value=MAX_MINUTES,
        help_text=f"Leave empty for the usual length: {USUAL}.",
    )
    session = SessionField(
        queryset=TreatmentSession.objects.none(),
        required=False,
        label="Course session this books (optional)",
        help_text="Preparation, dosing and integration appointments can book a planned "
        "session of the client's course.",
    )
    repeat = forms.IntegerField(
        label="Repeat weekly for how many weeks (optional)",
        required=False,
        min_value=1,
        max_value=MAX_SERIES_WEEKS,
        help_text=f"For weekly therapy: the same day and time each week, up to "
        f"{MAX_SERIES_WEEKS} weeks, counting this one. If any week is taken, nothing is "
        "booked. Leave empty for one appointment.",
    )

    def __init__(self, request: AuthedRequest, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_date(self.fields["date"], appointment_days, "a day")
        visible = clients_for_user(request)
        self.fields["client"].queryset = visible  # type: ignore[attr-defined]
        self.fields["clinician"].queryset = clinicians()  # type: ignore[attr-defined]
        self.fields["session"].queryset = (  # type: ignore[attr-defined]
            TreatmentSession.objects.filter(
                status=SessionStatus.PLANNED,
                course__client__in=visible,
                appointment__isnull=True,
            )
            .select_related("course__client")
            .order_by("course__client__last_name", "course__client__first_name", "pk")
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.clean_when(cleaned, cleaned.get("type"))
        client, type_ = cleaned.get("client"), cleaned.get("type")
        if client is not None and type_:
            problem = session_problem(cleaned.get("session"), client, type_)
            if problem:
                self.add_error("session", problem)
        return cleaned


class MoveForm(WhenMixin, forms.Form):
    date = forms.DateField(label="New date", widget=DATE_WIDGET)
    start = forms.TimeField(label="New start time", widget=TIME_WIDGET)
    duration = forms.IntegerField(
        label="Length in minutes", min_value=MIN_MINUTES, max_value=MAX_MINUTES
    )
    clinician = ClinicianField(queryset=User.objects.none(), label="Clinician")
    room = RoomField(
        queryset=Room.objects.filter(active=True),
        required=False,
        label="Room",
        empty_label="No room (telehealth or elsewhere)",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "move")
        super().__init__(*args, **kwargs)
        bound_date(self.fields["date"], appointment_days, "a day")
        self.fields["clinician"].queryset = clinicians()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.clean_when(cleaned, None)
        return cleaned


def move_initial(appt: Any) -> dict[str, Any]:
    start = timezone.localtime(appt.starts_at, timezone.get_default_timezone())
    return {
        "date": start.date(),
        "start": start.time().replace(second=0, microsecond=0),
        "duration": int((appt.ends_at - appt.starts_at).total_seconds() // 60),
        "clinician": appt.clinician_id,
        "room": appt.room_id,
    }


SCOPE_THIS, SCOPE_FOLLOWING = "this", "following"


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason for cancelling",
        max_length=300,
        widget=forms.TextInput(attrs={"maxlength": 300}),
        help_text="Seen by staff only.",
    )
    scope = forms.ChoiceField(
        label="Which appointments",
        choices=[
            (SCOPE_THIS, "This one only"),
            (SCOPE_FOLLOWING, "This one and the following ones of the weekly series"),
        ],
        widget=forms.RadioSelect,
        initial=SCOPE_THIS,
    )

    def __init__(self, *args: Any, series: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "cancel")
        super().__init__(*args, **kwargs)
        if not series:  # one appointment: nothing to choose
            del self.fields["scope"]


STATUS_STEPS = [
    (value, label)
    for value, label in AppointmentStatus.choices
    if value not in (AppointmentStatus.SCHEDULED, AppointmentStatus.CANCELLED)
]


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=STATUS_STEPS)


def status_actions(status: str) -> list[tuple[str, str]]:
    """The buttons the appointment page offers (cancel has its own form)."""
    labels: dict[str, str] = {
        AppointmentStatus.ARRIVED: "Mark arrived",
        AppointmentStatus.IN_SESSION: "Mark in session",
        AppointmentStatus.COMPLETED: "Mark completed",
        AppointmentStatus.NO_SHOW: "Mark no-show",
    }
    return [(s, labels[s]) for s in APPOINTMENT_TRANSITIONS[status] if s in labels]


class CalendarForm(forms.Form):
    view = forms.ChoiceField(
        label="Show", choices=[("week", "Week"), ("day", "Day")], required=False
    )
    date = forms.DateField(label="Date", widget=DATE_WIDGET, required=False)
    clinician = ClinicianField(
        queryset=User.objects.none(), label="Clinician", required=False, empty_label="—"
    )
    room = RoomField(queryset=Room.objects.all(), label="Room", required=False, empty_label="—")
    by = forms.ChoiceField(
        label="Day view side by side",
        choices=[("", "—"), ("clinician", "Every clinician"), ("room", "Every room")],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A day to show, from a link or typed: outside the range the calendar shows
        # today, with the message beside the date.
        bound_date(self.fields["date"], plausible)
        self.fields["clinician"].queryset = clinicians()  # type: ignore[attr-defined]
