from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Count, QuerySet, Window
from django.utils.functional import cached_property

from common.fields import EncryptedTextField
from common.prepared import Prepared
from common.reversing import reverse_numbered


class Modality(models.TextChoices):
    KAP = "kap", "KAP"
    KA_EMDR = "ka_emdr", "KA-EMDR"


class CourseStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped"


# A course is planned until its first session starts; it ends completed or stopped.
COURSE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    CourseStatus.PLANNED: (CourseStatus.ACTIVE, CourseStatus.STOPPED),
    CourseStatus.ACTIVE: (CourseStatus.COMPLETED, CourseStatus.STOPPED),
    CourseStatus.COMPLETED: (),
    CourseStatus.STOPPED: (),
}

MAX_SESSIONS = MaxValueValidator(30)


class TreatmentCourse(models.Model):
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="courses")
    modality = models.CharField(max_length=10, choices=Modality.choices)
    # Typical KAP course: at least 3 preparation sessions, 6–8 dosing sessions with
    # integration between each (clinical-reference.md, "Typical course"); the
    # defaults are a starting point the therapist changes.
    planned_preparation = models.PositiveIntegerField(default=3, validators=[MAX_SESSIONS])
    planned_dosing = models.PositiveIntegerField(default=6, validators=[MAX_SESSIONS])
    planned_integration = models.PositiveIntegerField(default=6, validators=[MAX_SESSIONS])
    goals = EncryptedTextField(max_length=4000)
    status = models.CharField(
        max_length=10, choices=CourseStatus.choices, default=CourseStatus.PLANNED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse_numbered("treatment:course", self.pk)

    @cached_property
    def number(self) -> int:
        """The course's place among the client's courses of the same modality, from 1.

        People count a client's courses ("KAP course 2"), not database rows."""
        found = _course_number(client=self.client_id, modality=self.modality, pk=self.pk)
        return found[0] if found else 0

    @property
    def label(self) -> str:
        return f"{self.get_modality_display()} course {self.number}"

    def planned_of(self, kind: str) -> int:
        """How many sessions of a kind the course plans."""
        planned: dict[str, int] = {
            SessionKind.PREPARATION: self.planned_preparation,
            SessionKind.DOSING: self.planned_dosing,
            SessionKind.INTEGRATION: self.planned_integration,
        }
        return planned.get(kind, 0)


class SessionKind(models.TextChoices):
    PREPARATION = "preparation", "Preparation"
    DOSING = "dosing", "Dosing"
    INTEGRATION = "integration", "Integration"


class SessionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


# planned → in progress → completed, or planned → cancelled. A dosing session leaves
# "planned" only through the readiness gate (treatment.services.dosing_start).
SESSION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    SessionStatus.PLANNED: (SessionStatus.IN_PROGRESS, SessionStatus.CANCELLED),
    SessionStatus.IN_PROGRESS: (SessionStatus.COMPLETED,),
    SessionStatus.COMPLETED: (),
    SessionStatus.CANCELLED: (),
}


class TreatmentSession(models.Model):
    """One session of a course. Scheduling (appointments) and the in-session
    record build on this; a dosing session starts only through the readiness gate."""

    course = models.ForeignKey(TreatmentCourse, on_delete=models.PROTECT, related_name="sessions")
    kind = models.CharField(max_length=12, choices=SessionKind.choices)
    planned_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    prescription = models.ForeignKey(
        "prescriptions.Prescription",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    # Dosing days: the adult taking the client home, confirmed on the day.
    escort_name = models.CharField(max_length=120, blank=True)
    escort_phone = models.CharField(max_length=32, blank=True)
    escort_confirmed_at = models.DateTimeField(null=True, blank=True)
    escort_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    # Why the session was cancelled, asked at the confirm: free text about the client,
    # so encrypted at rest.
    cancel_reason = EncryptedTextField(max_length=500, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["planned_date", "id"]
        # The portal home's "sessions this week" finds a week's dosing sessions by when
        # they started, else by the day they are planned (dosing.portal_views.
        # week_session_ids). Partial, so that no other query's plan changes, and
        # "started" holds no NULL, so that a not-yet-started session is found from its
        # appointment's time instead of from every session not started.
        indexes = [
            models.Index(
                fields=["started_at"],
                name="session_dosing_started_idx",
                condition=models.Q(kind=SessionKind.DOSING, started_at__isnull=False),
            ),
            models.Index(
                fields=["planned_date"],
                name="session_dosing_planned_idx",
                condition=models.Q(kind=SessionKind.DOSING),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse_numbered("treatment:session", self.pk)

    @cached_property
    def number(self) -> int | None:
        """The session's place among its course's sessions of the same kind, in the
        order they were planned, from 1; a cancelled session has none, and does not
        count (its replacement takes its number)."""
        if self.status == SessionStatus.CANCELLED:
            return None
        found = _session_number(course=self.course_id, kind=self.kind, pk=self.pk)
        return found[0] if found else 0

    @property
    def short_label(self) -> str:
        """ "Dosing 2 of 6", or "Dosing (cancelled)"."""
        kind = self.get_kind_display()
        if self.number is None:
            return f"{kind} (cancelled)"
        return f"{kind} {self.number} of {max(self.number, self.course.planned_of(self.kind))}"

    @property
    def label(self) -> str:
        """ "KAP course 1, dosing 2 of 6": how the practice names a session."""
        short = self.short_label
        return f"{self.course.label}, {short[0].lower()}{short[1:]}"


# A course's and a session's number, compiled once (common.prepared): every label
# ("KAP course 1, dosing 2 of 6") asks, on most staff and portal pages. The count rides
# on the first row (`COUNT(*) OVER ()`, as common.sections does): no row, no count.
@Prepared
def _course_number(*, client: int, modality: str, pk: int) -> QuerySet[TreatmentCourse, int]:
    earlier = TreatmentCourse.objects.filter(client_id=client, modality=modality, pk__lte=pk)
    return earlier.annotate(n=Window(Count("pk"))).values_list("n", flat=True)[:1]


@Prepared
def _session_number(*, course: int, kind: str, pk: int) -> QuerySet[TreatmentSession, int]:
    earlier = TreatmentSession.objects.filter(course_id=course, kind=kind, pk__lte=pk).exclude(
        status=SessionStatus.CANCELLED
    )
    return earlier.annotate(n=Window(Count("pk"))).values_list("n", flat=True)[:1]
