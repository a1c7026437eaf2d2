from __future__ import annotations

from django.conf import settings
from django.db import models

from common.reversing import reverse_numbered


class AppointmentType(models.TextChoices):
    INTAKE = "intake", "Intake"
    PREPARATION = "preparation", "Preparation"
    KAP_DOSING = "kap_dosing", "KAP dosing"
    KA_EMDR_DOSING = "ka_emdr_dosing", "KA-EMDR dosing"
    INTEGRATION = "integration", "Integration"
    EMDR = "emdr", "EMDR"
    PSYCHOTHERAPY = "psychotherapy", "Psychotherapy"


# Default length of each type, in minutes (issue 4; dosing sessions run about
# 3 h, clinical-reference.md "Typical course").
DEFAULT_MINUTES: dict[str, int] = {
    AppointmentType.INTAKE: 60,
    AppointmentType.PREPARATION: 60,
    AppointmentType.KAP_DOSING: 180,
    AppointmentType.KA_EMDR_DOSING: 180,
    AppointmentType.INTEGRATION: 60,
    AppointmentType.EMDR: 90,
    AppointmentType.PSYCHOTHERAPY: 50,
}
DOSING_TYPES = (AppointmentType.KAP_DOSING, AppointmentType.KA_EMDR_DOSING)


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    ARRIVED = "arrived", "Arrived"
    IN_SESSION = "in_session", "In session"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


# scheduled → arrived → in session → completed, plus cancelled and no-show.
APPOINTMENT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    AppointmentStatus.SCHEDULED: (
        AppointmentStatus.ARRIVED,
        AppointmentStatus.CANCELLED,
        AppointmentStatus.NO_SHOW,
    ),
    AppointmentStatus.ARRIVED: (AppointmentStatus.IN_SESSION, AppointmentStatus.CANCELLED),
    AppointmentStatus.IN_SESSION: (AppointmentStatus.COMPLETED,),
    AppointmentStatus.COMPLETED: (),
    AppointmentStatus.CANCELLED: (),
    AppointmentStatus.NO_SHOW: (),
}
# An appointment in these statuses holds its clinician, room and client.
BLOCKING_STATUSES = (
    AppointmentStatus.SCHEDULED,
    AppointmentStatus.ARRIVED,
    AppointmentStatus.IN_SESSION,
    AppointmentStatus.COMPLETED,
)


class Room(models.Model):
    name = models.CharField(max_length=80, unique=True)
    # Calendar feeds are copied to phones and cloud calendars: they show this label,
    # never the name, which may say what happens in the room ("dosing suite").
    feed_label = models.CharField(
        "label in calendar feeds",
        max_length=40,
        blank=True,
        help_text='What subscribed calendars show as the place, e.g. "Room 1". Never say '
        "what happens there. Blank: the feed shows no place.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkingHours(models.Model):
    """One block of a clinician's working week, in the practice's time zone."""

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(
        choices=[
            (0, "Monday"),
            (1, "Tuesday"),
            (2, "Wednesday"),
            (3, "Thursday"),
            (4, "Friday"),
            (5, "Saturday"),
            (6, "Sunday"),
        ]
    )
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["clinician", "weekday", "start"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="hours_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class AppointmentSeries(models.Model):
    """Weekly appointments booked together (weekly therapy): each occurrence is its
    own appointment, moved or cancelled alone or with the ones after it."""

    weeks = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name_plural = "appointment series"

    def __str__(self) -> str:
        return f"Weekly series #{self.pk} ({self.weeks} weeks)"


class Appointment(models.Model):
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="appointments"
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    type = models.CharField(max_length=16, choices=AppointmentType.choices)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField(db_index=True)
    status = models.CharField(
        max_length=12, choices=AppointmentStatus.choices, default=AppointmentStatus.SCHEDULED
    )
    cancel_reason = models.CharField(max_length=300, blank=True)
    # When each step of the status workflow happened (each happens at most once).
    arrived_at = models.DateTimeField(null=True, blank=True)
    in_session_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    no_show_at = models.DateTimeField(null=True, blank=True)
    # The course session this appointment books (preparation, dosing, integration).
    session = models.OneToOneField(
        "treatment.TreatmentSession",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appointment",
    )
    # The weekly series this occurrence belongs to, if it was booked as one.
    series = models.ForeignKey(
        AppointmentSeries,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="appt_ends_after_start"
            )
        ]
        # A clinician's or a room's calendar and today's list: one index range each, in
        # the calendar's order (pathways/tests/test_explain_pages.py).
        indexes = [
            models.Index(fields=["clinician", "starts_at"], name="appt_clinician_start_idx"),
            models.Index(fields=["room", "starts_at"], name="appt_room_start_idx"),
            # The course sessions booked in a time range (the partner portal's week,
            # dosing.portal_views.week_session_ids), read from the index alone: about a
            # quarter of the appointments book a course session.
            models.Index(
                fields=["starts_at", "session"],
                name="appt_session_start_idx",
                condition=models.Q(session__isnull=False),
            ),
            # The day's appointments still to run, counted in every staff page's
            # navigation for the whole practice (intake, admin), from the index alone:
            # through the starts_at index each was read from the table (issue 14).
            models.Index(fields=["starts_at", "status"], name="appt_start_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} appointment #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse_numbered("scheduling:appointment", self.pk)

    @property
    def is_dosing(self) -> bool:
        return self.type in DOSING_TYPES


class Reminder(models.Model):
    """A reminder e-mail sent for an appointment (one per kind), so none goes twice."""

    class Kind(models.TextChoices):
        H48 = "48h", "48 hours before"
        H24 = "24h", "24 hours before"

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=4, choices=Kind.choices)
    # The start time the reminder announced: a moved appointment is reminded again
    # with its new time, and never twice for the same one.
    for_starts_at = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "kind", "for_starts_at"], name="one_reminder_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder for appointment #{self.appointment_id}"


class CalendarFeed(models.Model):
    """A clinician's secret iCalendar subscription URL. Only a hash of the token is
    stored; revoking it (or making a new one) kills the old URL at once."""

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Calendar feed #{self.pk}"
