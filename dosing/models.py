"""The record of a dosing session, from arrival to discharge (KAP and KA-EMDR).

Monitoring, discharge and rescue-medication facts: Spravato label and REMS
monitoring form, and KAP practices' published protocols, as gathered in
../shared/clinical-reference.md ("Monitoring", "Discharge", "Rescue medications").
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from common.fields import EncryptedCharField, EncryptedTextField
from common.reversing import reverse_numbered


class RiskCheckMethod(models.TextChoices):
    CSSRS = "cssrs", "C-SSRS screen"
    INTERVIEW = "interview", "Clinician's risk interview"


class RiskCheckOutcome(models.TextChoices):
    NO_RISK = "no_risk", "No current suicidal ideation or behaviour reported"
    RISK = "risk", "Current ideation or behaviour: do not dose; follow the safety plan"


class DosingRecord(models.Model):
    """Opened from the appointment, and only when the readiness gate passes."""

    session = models.OneToOneField(
        "treatment.TreatmentSession", on_delete=models.PROTECT, related_name="dosing_record"
    )
    prescription = models.ForeignKey(
        "prescriptions.Prescription", on_delete=models.PROTECT, related_name="dosing_records"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Pre-dose checks.
    fasting_confirmed = models.BooleanField(default=False)
    fasting_hours = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(48)],
    )
    fasting_liquids_hours = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(48)],
    )
    # Each of the prescription's holds, as the client reports it:
    # {"Benzodiazepines": "held" | "taken"}. Set together with holds_respected.
    holds_answers = models.JSONField(default=dict, blank=True)
    holds_respected = models.BooleanField("Medication holds respected", default=False)
    escort_name = models.CharField(max_length=120, blank=True)
    escort_phone = models.CharField(max_length=32, blank=True)
    intention = EncryptedTextField("The client's intention", blank=True, max_length=2000)
    predose_checked_at = models.DateTimeField(null=True, blank=True)
    predose_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Today's suicide-risk check by the clinician, before the dose (issue 8 §3).
    risk_check_method = models.CharField(
        max_length=12, choices=RiskCheckMethod.choices, blank=True
    )
    risk_check_outcome = models.CharField(
        max_length=12, choices=RiskCheckOutcome.choices, blank=True
    )
    risk_check_note = EncryptedTextField(blank=True, max_length=2000)
    risk_check_at = models.DateTimeField(null=True, blank=True)
    risk_check_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"Dosing record #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse_numbered("dosing:record", self.pk)


class VitalSigns(models.Model):
    class Phase(models.TextChoices):
        BASELINE = "baseline", "Baseline (before dosing)"
        RECHECK = "recheck", "Re-check before dosing"
        MONITORING = "monitoring", "Monitoring"
        DISCHARGE = "discharge", "Before discharge"

    record = models.ForeignKey(DosingRecord, on_delete=models.CASCADE, related_name="vitals")
    phase = models.CharField(max_length=12, choices=Phase.choices)
    taken_at = models.DateTimeField()
    systolic = models.PositiveIntegerField(
        validators=[MinValueValidator(50), MaxValueValidator(260)]
    )
    diastolic = models.PositiveIntegerField(
        validators=[MinValueValidator(30), MaxValueValidator(180)]
    )
    heart_rate = models.PositiveIntegerField(
        validators=[MinValueValidator(20), MaxValueValidator(250)]
    )
    spo2 = models.PositiveIntegerField(
        "SpO2 (%)", validators=[MinValueValidator(50), MaxValueValidator(100)]
    )
    # Simple observer fields, as the Spravato REMS form has (CADSS is copyrighted).
    sedation = models.BooleanField(default=False)
    dissociation = models.BooleanField(default=False)
    notes = EncryptedTextField(blank=True, max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["taken_at", "id"]
        verbose_name_plural = "vital signs"

    def __str__(self) -> str:
        return f"{self.systolic}/{self.diastolic} HR {self.heart_rate} SpO2 {self.spo2}%"


class PrescriberContact(models.Model):
    """Out-of-range pre-dose vitals, or a fasting or hold shortfall: the prescriber
    was contacted, and what they said."""

    class Topic(models.TextChoices):
        VITALS = "vitals", "Out-of-range pre-dose vitals"
        PREDOSE = "predose", "Fasting or medication-hold shortfall"

    record = models.ForeignKey(
        DosingRecord, on_delete=models.CASCADE, related_name="prescriber_contacts"
    )
    topic = models.CharField(max_length=8, choices=Topic.choices, default=Topic.VITALS)
    # The out-of-range pre-dose set the prescriber was asked about: an approval
    # counts only for that set, not for a later re-check that is out of range too.
    vitals = models.ForeignKey(
        VitalSigns,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="prescriber_contacts",
    )
    contacted_at = models.DateTimeField()
    prescriber_name = models.CharField(max_length=120)
    instruction = EncryptedTextField("What the prescriber said", max_length=2000)
    proceed = models.BooleanField("The prescriber approved dosing")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["contacted_at", "id"]

    def __str__(self) -> str:
        return f"Prescriber contact #{self.pk}"


class Administration(models.Model):
    class Kind(models.TextChoices):
        DOSE = "dose", "Dose"
        BOOSTER = "booster", "Booster"

    record = models.ForeignKey(
        DosingRecord, on_delete=models.PROTECT, related_name="administrations"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    dose_mg = models.DecimalField(max_digits=6, decimal_places=1)
    route = models.CharField(max_length=16)
    # The prescription version in force when the dose was given: it governed it.
    prescription = models.ForeignKey(
        "prescriptions.Prescription",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="administrations",
    )
    given_at = models.DateTimeField()
    # A lozenge or troche the client takes themselves: no giver, a staff observer
    # (witnessed_by). KA-EMDR's sublingual dose is usually self-administered.
    self_administered = models.BooleanField(default=False)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    witnessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["given_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "kind"], name="one_dose_one_booster")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.dose_mg} mg"


class AdverseEvent(models.Model):
    class Type(models.TextChoices):
        NAUSEA = "nausea", "Nausea or vomiting"
        BP = "elevated_bp", "Elevated blood pressure"
        ANXIETY = "anxiety", "Anxiety or agitation"
        SEDATION = "sedation", "Excessive sedation"
        OTHER = "other", "Other"

    # Severity (how intense) and seriousness (what it led to) are separate questions
    # (FDA, 21 CFR 312.32 and ICH E2A): a severe headache need not be serious.
    class Severity(models.TextChoices):
        MILD = "mild", "Mild"
        MODERATE = "moderate", "Moderate"
        SEVERE = "severe", "Severe (notifies the prescriber)"

    record = models.ForeignKey(
        DosingRecord, on_delete=models.PROTECT, related_name="adverse_events"
    )
    type = models.CharField(max_length=12, choices=Type.choices)
    description = EncryptedCharField(max_length=300, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    serious = models.BooleanField(
        "Serious adverse event",
        default=False,
        help_text=(
            "Life-threatening, or led to hospital admission, lasting disability, or an "
            "intervention to prevent one (21 CFR 312.32). Notifies the prescriber."
        ),
    )
    occurred_at = models.DateTimeField()
    action_taken = EncryptedTextField(max_length=2000)
    # Rescue medications named in KAP consents: ondansetron, clonidine, lorazepam.
    rescue_medication = models.CharField(max_length=120, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_type_display()} ({self.severity}{', serious' if self.serious else ''})"

    @property
    def notifies_prescriber(self) -> bool:
        return self.serious or self.severity == self.Severity.SEVERE


class Discharge(models.Model):
    record = models.OneToOneField(DosingRecord, on_delete=models.PROTECT, related_name="discharge")
    vitals_within_parameters = models.BooleanField()
    alert_and_oriented = models.BooleanField()
    walks_steadily = models.BooleanField()
    escort_present = models.BooleanField()
    # Judged by the server (dosing.rules.discharge_criteria), not ticked.
    observation_time_met = models.BooleanField(default=False)
    peak_bp_check_done = models.BooleanField(default=False)
    told_no_driving = models.BooleanField(
        "Told not to drive until the next day, after sleep", default=False
    )
    # Required when a criterion is not met: discharge is blocked without it.
    exception_reason = EncryptedTextField(blank=True, max_length=2000)
    discharged_at = models.DateTimeField()
    discharged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"Discharge of record {self.record_id}"


class SessionNote(models.Model):
    """A DAP note (data, assessment, plan). Signing locks it; then only addenda."""

    session = models.OneToOneField(
        "treatment.TreatmentSession", on_delete=models.PROTECT, related_name="note"
    )
    data = EncryptedTextField(blank=True, max_length=10000)
    assessment = EncryptedTextField(blank=True, max_length=10000)
    plan = EncryptedTextField(blank=True, max_length=10000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            # The notes still to sign (pathways.today.notes_to_sign, the navigation's
            # count on every staff page): few among thousands, read through a partial
            # index, oldest first, instead of a scan of every note (issue 14).
            models.Index(
                fields=["updated_at", "id"],
                condition=models.Q(signed_at__isnull=True),
                name="note_unsigned_idx",
            )
        ]

    def __str__(self) -> str:
        return f"Note for session {self.session_id}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class Addendum(models.Model):
    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="addenda")
    text = EncryptedTextField(max_length=5000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "addenda"

    def __str__(self) -> str:
        return f"Addendum #{self.pk}"
