"""The EMDR part of a session: Shapiro's standard 8-phase protocol, the phase-3
assessment, and the log of desensitisation sets (clinical-reference.md, "EMDR
session data"). Serves KA-EMDR dosing sessions and EMDR sessions without ketamine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from common.fields import EncryptedCharField, EncryptedTextField
from common.reversing import reverse_numbered

if TYPE_CHECKING:
    from clients.models import Client

# Subjective units of disturbance 0–10, validity of cognition 1–7 (clinical-reference.md,
# "EMDR session data"). The form, the service (bls.rules) and the database all check them.
SUD_MIN, SUD_MAX = 0, 10
VOC_MIN, VOC_MAX = 1, 7
SUD_RANGE_MESSAGE = f"SUD is from {SUD_MIN} to {SUD_MAX}."
VOC_RANGE_MESSAGE = f"VOC is from {VOC_MIN} to {VOC_MAX}."
SUD = [MinValueValidator(SUD_MIN), MaxValueValidator(SUD_MAX)]
VOC = [MinValueValidator(VOC_MIN), MaxValueValidator(VOC_MAX)]


def _sud_in_range(name: str) -> models.CheckConstraint:
    return _in_range(name, SUD_MIN, SUD_MAX, SUD_RANGE_MESSAGE)


def _voc_in_range(name: str) -> models.CheckConstraint:
    return _in_range(name, VOC_MIN, VOC_MAX, VOC_RANGE_MESSAGE)


def _in_range(name: str, low: int, high: int, message: str) -> models.CheckConstraint:
    """The database's own refusal of a score out of range (empty is allowed)."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{name}__isnull": True})
        | models.Q(**{f"{name}__gte": low, f"{name}__lte": high}),
        name=f"emdr_{name}_{low}_to_{high}",
        violation_error_message=message,
    )


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
    target_memory = EncryptedTextField(blank=True, max_length=2000)
    image = EncryptedTextField("Worst image", blank=True, max_length=2000)
    negative_cognition = EncryptedCharField(max_length=200, blank=True)
    positive_cognition = EncryptedCharField(max_length=200, blank=True)
    voc_start = models.PositiveSmallIntegerField(
        "VOC at start", null=True, blank=True, validators=VOC
    )
    emotions = EncryptedCharField(max_length=200, blank=True)
    sud_start = models.PositiveSmallIntegerField(
        "SUD at start", null=True, blank=True, validators=SUD
    )
    body_location = EncryptedCharField("Where it is felt in the body", max_length=200, blank=True)
    # Phases 5–7.
    installation_voc = models.PositiveSmallIntegerField(null=True, blank=True, validators=VOC)
    body_scan = EncryptedTextField(blank=True, max_length=2000)

    class Closure(models.TextChoices):
        COMPLETE = "complete", "Complete"
        INCOMPLETE = "incomplete", "Incomplete"

    closure = models.CharField(max_length=10, choices=Closure.choices, blank=True)
    # Required for an incomplete closure (bls.rules.closing_errors).
    closure_reason = EncryptedTextField(
        "Why the session is incomplete", blank=True, max_length=2000
    )
    sud_end = models.PositiveSmallIntegerField("SUD at end", null=True, blank=True, validators=SUD)
    voc_end = models.PositiveSmallIntegerField("VOC at end", null=True, blank=True, validators=VOC)
    # When the therapist plans to end reprocessing (desensitisation): the record flags a
    # dose whose expected peak falls after it (bls.dose_window), before the session.
    planned_reprocessing_end = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(session__isnull=False) | models.Q(appointment__isnull=False),
                name="emdr_record_has_a_session",
            ),
            _sud_in_range("sud_start"),
            _sud_in_range("sud_end"),
            _voc_in_range("voc_start"),
            _voc_in_range("installation_voc"),
            _voc_in_range("voc_end"),
        ]

    def __str__(self) -> str:
        return f"EMDR record #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse_numbered("bls:record", self.pk)

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
    # The display's "both" mode: the dot and the alternating tones at once.
    BOTH = "both", "Eye movements and tones"


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
    client_report = EncryptedTextField(blank=True, max_length=2000)
    sud = models.PositiveSmallIntegerField("SUD", null=True, blank=True, validators=SUD)
    interweave = EncryptedTextField(blank=True, max_length=2000)
    minutes_since_dose = models.PositiveIntegerField(null=True, blank=True)
    # Logged by the BLS display on stop (bls.pairing), not typed; interrupted: the set
    # ended because a connection dropped, and `passes` counts the passes completed.
    from_display = models.BooleanField(default=False)
    interrupted = models.BooleanField(default=False)
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
            _sud_in_range("sud"),
        ]

    def __str__(self) -> str:
        return f"Set {self.number}"


class DisplayPairing(models.Model):
    """A BLS display (the client's screen) and, once paired, the record and the
    therapist that control it (bls.pairing, bls.consumers). Holds no PHI: the display
    itself never learns the record or the names. The 6-digit code and the display's
    resume token are kept only as hashes (HMAC-SHA256 with SECRET_KEY)."""

    code_hash = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    paired_at = models.DateTimeField(null=True, blank=True)
    record = models.ForeignKey(
        EmdrRecord,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="display_pairings",
    )
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The display consumer's channel name, for the commands sent to it.
    display_channel = models.CharField(max_length=200, blank=True)
    resume_hash = models.CharField(max_length=64, blank=True)
    # The display's device asks for reduced motion (prefers-reduced-motion): the set
    # still runs, and the therapist is told.
    reduced_motion = models.BooleanField(default=False)
    ended_at = models.DateTimeField(null=True, blank=True)
    # The set running on the display, if any: when it started, its settings (mode,
    # speed, passes, seconds, direction) and the passes it has reported done.
    set_started_at = models.DateTimeField(null=True, blank=True)
    set_settings = models.JSONField(default=dict, blank=True)
    set_passes_done = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(paired_at__isnull=True)
                | models.Q(record__isnull=False, therapist__isnull=False),
                name="display_paired_has_record_and_therapist",
            ),
        ]

    def __str__(self) -> str:
        return f"Display pairing #{self.pk}"
