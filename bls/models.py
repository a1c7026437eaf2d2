"""The EMDR part of a session: Shapiro's standard 8-phase protocol, the phase-3
assessment, and the log of desensitisation sets (clinical-reference.md, "EMDR
session data"). Serves KA-EMDR dosing sessions and EMDR sessions without ketamine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

if TYPE_CHECKING:
    from clients.models import Client

SUD = [MinValueValidator(0), MaxValueValidator(10)]  # subjective units of disturbance, 0–10
VOC = [MinValueValidator(1), MaxValueValidator(7)]  # validity of cognition, 1–7


class Phase(models.IntegerChoices):
    HISTORY = 1, "1 History taking"
    PREPARATION = 2, "2 Preparation"
    ASSESSMENT = 3, "3 Assessment"
    DESENSITISATION = 4, "4 Desensitisation"
    INSTALLATION = 5, "5 Installation"
    BODY_SCAN = 6, "6 Body scan"
    CLOSURE = 7, "7 Closure"
    REEVALUATION = 8, "8 Reevaluation"


class EmdrRecord(models.Model):
    """One session's EMDR record. Belongs to a course session (KA-EMDR dosing) or to
    an appointment (EMDR without ketamine)."""

    session = models.OneToOneField(
        "treatment.TreatmentSession",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="emdr_record",
    )
    appointment = models.OneToOneField(
        "scheduling.Appointment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="emdr_record",
    )
    # Phase 3: assessment.
    target_memory = models.TextField(blank=True, max_length=2000)
    image = models.TextField("Worst image", blank=True, max_length=2000)
    negative_cognition = models.CharField(max_length=200, blank=True)
    positive_cognition = models.CharField(max_length=200, blank=True)
    voc_start = models.PositiveSmallIntegerField(
        "VOC at start", null=True, blank=True, validators=VOC
    )
    emotions = models.CharField(max_length=200, blank=True)
    sud_start = models.PositiveSmallIntegerField(
        "SUD at start", null=True, blank=True, validators=SUD
    )
    body_location = models.CharField("Where it is felt in the body", max_length=200, blank=True)
    # Phases 5–7.
    installation_voc = models.PositiveSmallIntegerField(null=True, blank=True, validators=VOC)
    body_scan = models.TextField(blank=True, max_length=2000)

    class Closure(models.TextChoices):
        COMPLETE = "complete", "Complete"
        INCOMPLETE = "incomplete", "Incomplete"

    closure = models.CharField(max_length=10, choices=Closure.choices, blank=True)
    sud_end = models.PositiveSmallIntegerField("SUD at end", null=True, blank=True, validators=SUD)
    voc_end = models.PositiveSmallIntegerField("VOC at end", null=True, blank=True, validators=VOC)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(session__isnull=False) | models.Q(appointment__isnull=False),
                name="emdr_record_has_a_session",
            )
        ]

    def __str__(self) -> str:
        return f"EMDR record #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("bls:record", args=[self.pk])

    @property
    def client(self) -> Client:
        """The client this record is about: through the course session or the appointment."""
        if self.session_id is not None:
            return self.session.course.client  # type: ignore[union-attr]
        return self.appointment.client  # type: ignore[union-attr]


class PhaseMark(models.Model):
    """When the session entered a phase: the phases on the session timeline."""

    record = models.ForeignKey(EmdrRecord, on_delete=models.CASCADE, related_name="phase_marks")
    phase = models.PositiveSmallIntegerField(choices=Phase.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_phase_display()} at {self.at:%H:%M}"


class BlsType(models.TextChoices):
    EYES = "eyes", "Eye movements"
    AUDITORY = "auditory", "Auditory"
    TACTILE = "tactile", "Tactile"


class DesensitisationSet(models.Model):
    record = models.ForeignKey(EmdrRecord, on_delete=models.CASCADE, related_name="sets")
    number = models.PositiveIntegerField()
    at = models.DateTimeField()
    bls_type = models.CharField("BLS type", max_length=10, choices=BlsType.choices)
    # 1 Hz is the usual default; 0.8–1.2 Hz was studied (van Veen 2015).
    speed_hz = models.DecimalField(
        "Speed (Hz)",
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(0.1), MaxValueValidator(5)],
    )
    passes = models.PositiveIntegerField(null=True, blank=True)  # about 24 is a usual start
    seconds = models.PositiveIntegerField(null=True, blank=True)
    client_report = models.TextField(blank=True, max_length=2000)
    sud = models.PositiveSmallIntegerField("SUD", null=True, blank=True, validators=SUD)
    interweave = models.TextField(blank=True, max_length=2000)
    minutes_since_dose = models.PositiveIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["record", "number"], name="one_set_number_per_record"),
            models.CheckConstraint(
                condition=models.Q(passes__isnull=False) | models.Q(seconds__isnull=False),
                name="set_has_passes_or_seconds",
            ),
        ]

    def __str__(self) -> str:
        return f"Set {self.number}"
