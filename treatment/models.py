from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse

from common.fields import EncryptedTextField


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
        return f"{self.get_modality_display()} course #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("treatment:course", args=[self.pk])


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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["planned_date", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} session #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("treatment:session", args=[self.pk])
