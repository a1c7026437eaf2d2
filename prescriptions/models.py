from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from common.plugins import plugin
from common.reversing import reverse_numbered


class Route(models.TextChoices):
    # Routes and formulations used in KAP practice (clinical-reference.md, "Doses").
    SUBLINGUAL = "sublingual", "Sublingual rapid-dissolve tablet or troche"
    INTRAMUSCULAR = "intramuscular", "Intramuscular injection"
    INTRANASAL = "intranasal", "Intranasal"
    ORAL = "oral", "Oral"
    INTRAVENOUS = "intravenous", "Intravenous infusion"


class RxModality(models.TextChoices):
    """What the prescription authorises: a KAP dose, a KA-EMDR dose, or both."""

    KAP = "kap", "KAP"
    KA_EMDR = "ka_emdr", "KA-EMDR"
    BOTH = "both", "KAP and KA-EMDR"


# Hours are stored as decimals (half hours happen); a day and a week bound them.
FASTING_HOURS = [MinValueValidator(0), MaxValueValidator(24)]


class RxStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUPERSEDED = "superseded", "Superseded by a newer version"
    DISCONTINUED = "discontinued", "Discontinued"


# Only the active version of a chain changes: a revision supersedes it, a
# discontinuation stops it. Neither can be undone (a new prescription is written).
RX_TRANSITIONS: dict[str, tuple[str, ...]] = {
    RxStatus.ACTIVE: (RxStatus.SUPERSEDED, RxStatus.DISCONTINUED),
    RxStatus.SUPERSEDED: (),
    RxStatus.DISCONTINUED: (),
}


class PrescriptionQuerySet(models.QuerySet["Prescription"]):
    def current(self) -> PrescriptionQuerySet:
        return self.filter(status=RxStatus.ACTIVE)


class Prescription(models.Model):
    """Ketamine for in-session use, written by a partner prescriber.

    Versioned: a change (a new dose, say) writes a new row in the same `chain`
    and marks the old one superseded, so the history stays visible. The
    authorised session count belongs to the chain, not to one version.
    """

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="prescriptions"
    )
    referral = models.ForeignKey(
        "partners.Referral", on_delete=models.PROTECT, related_name="prescriptions"
    )
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    chain = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="versions"
    )
    version = models.PositiveIntegerField(default=1)

    medication = models.CharField(max_length=40, default="Ketamine", editable=False)
    modality = models.CharField(
        "Authorised for",
        max_length=8,
        choices=RxModality.choices,
        default=RxModality.KAP,
        help_text="A KAP prescription does not authorise a KA-EMDR dose, and the reverse.",
    )
    route = models.CharField(max_length=16, choices=Route.choices)
    weight_kg = models.DecimalField(
        "Patient's weight (kg)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(30), MaxValueValidator(300)],
    )
    dose_mg_per_kg = models.DecimalField(
        "Dose per kg (mg/kg), optional",
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(10)],
    )
    dose_mg = models.DecimalField(
        "Dose per session (mg)",
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )
    booster_mg = models.DecimalField(
        "Booster dose (mg), optional",
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )
    booster_after_minutes = models.PositiveIntegerField(
        "Earliest booster, minutes after the dose",
        null=True,
        blank=True,
        validators=[MinValueValidator(10), MaxValueValidator(240)],
    )
    range_override_reason = models.TextField(
        "Prescriber's reason for a dose outside the usual range",
        blank=True,
        max_length=2000,
    )
    sessions_authorised = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    valid_from = models.DateField()
    valid_to = models.DateField()
    # Structured: the dosing record compares what the client reports with these.
    # Each hold: {"medication": "Benzodiazepines", "hours": 24}.
    holds = models.JSONField("Medications to hold", default=list, blank=True)
    fasting_solids_hours = models.DecimalField(
        "Fasting from food (hours before dosing)",
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=FASTING_HOURS,
    )
    fasting_liquids_hours = models.DecimalField(
        "Fasting from clear liquids (hours before dosing)",
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=FASTING_HOURS,
    )
    # Free-text notes for the client, beside the structured fields.
    holds_instructions = models.TextField(
        "Other notes on medication holds",
        blank=True,
        help_text="e.g. take the usual blood-pressure medicine with a sip of water.",
    )
    fasting_instructions = models.TextField(
        "Other notes on fasting", blank=True, help_text="e.g. water until 2 hours before."
    )
    # Vital-sign limits. Plausible ranges: prescriptions/ranges.py (LIMIT_BOUNDS); the
    # model's validators are only the outer bounds of a reading.
    min_systolic = models.PositiveIntegerField(
        "Lowest systolic BP (mmHg)",
        default=90,
        validators=[MinValueValidator(50), MaxValueValidator(260)],
    )
    max_systolic = models.PositiveIntegerField(
        "Highest systolic BP (mmHg)",
        validators=[MinValueValidator(50), MaxValueValidator(260)],
    )
    min_diastolic = models.PositiveIntegerField(
        "Lowest diastolic BP (mmHg)",
        default=50,
        validators=[MinValueValidator(30), MaxValueValidator(180)],
    )
    max_diastolic = models.PositiveIntegerField(
        "Highest diastolic BP (mmHg)",
        validators=[MinValueValidator(30), MaxValueValidator(180)],
    )
    hr_min = models.PositiveIntegerField(
        "Lowest heart rate (/min)", validators=[MinValueValidator(20), MaxValueValidator(250)]
    )
    hr_max = models.PositiveIntegerField(
        "Highest heart rate (/min)", validators=[MinValueValidator(20), MaxValueValidator(250)]
    )
    spo2_min = models.PositiveIntegerField(
        "Lowest SpO2 (%)", validators=[MinValueValidator(50), MaxValueValidator(100)]
    )
    spo2_max = models.PositiveIntegerField(
        "Highest SpO2 (%)",
        default=100,
        validators=[MinValueValidator(50), MaxValueValidator(100)],
    )

    status = models.CharField(max_length=16, choices=RxStatus.choices, default=RxStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    discontinued_at = models.DateTimeField(null=True, blank=True)
    discontinued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    discontinued_reason = models.TextField(blank=True)

    objects = PrescriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The portal home's "prescriptions ending soon": without it the query walked
            # every referral of the partner to find the few that end this fortnight
            # (17 of the home's 150 ms at 10,000 clients, 6 ms with it; issue 14).
            models.Index(fields=["status", "valid_to"], name="rx_status_valid_to"),
        ]

    def __str__(self) -> str:
        return f"{self.medication} {self.dose_mg} mg {self.get_route_display()} (v{self.version})"

    def get_absolute_url(self) -> str:
        return reverse_numbered("prescriptions:detail", self.pk)

    @property
    def chain_root_id(self) -> int:
        return self.chain_id or self.pk

    def authorises(self, modality: str) -> bool:
        """Does this prescription cover a dose in a course of `modality` (kap, ka_emdr)?"""
        return self.modality in (modality, RxModality.BOTH)

    def hold_list(self) -> list[dict[str, object]]:
        return [h for h in self.holds or [] if isinstance(h, dict) and h.get("medication")]

    def fasting_summary(self) -> str:
        """For the client's reminder: the structured hours, then any notes."""
        parts = []
        if self.fasting_solids_hours is not None:
            parts.append(f"No food for {self.fasting_solids_hours:g} hours before the session.")
        if self.fasting_liquids_hours:
            parts.append(f"No drinks, even clear ones, for {self.fasting_liquids_hours:g} hours.")
        if self.fasting_instructions.strip():
            parts.append(self.fasting_instructions.strip())
        return " ".join(parts)

    def holds_summary(self) -> str:
        parts = [
            f"{h['medication']}: not for {h['hours']} hours before." for h in self.hold_list()
        ]
        if self.holds_instructions.strip():
            parts.append(self.holds_instructions.strip())
        return " ".join(parts)

    def is_valid_on(self, day: dt.date) -> bool:
        return self.status == RxStatus.ACTIVE and self.valid_from <= day <= self.valid_to

    def sessions_used(self) -> int:
        """Dosing sessions started on this prescription's chain. Sessions belong to
        treatment, above prescriptions in the layers: settings.PATHWAYS_SESSIONS_USED
        names the function that counts them (treatment.queries.dosing_sessions_used)."""
        return int(plugin("PATHWAYS_SESSIONS_USED")(self))

    def sessions_left(self) -> int:
        return max(self.sessions_authorised - self.sessions_used(), 0)

    def chain_versions(self) -> PrescriptionQuerySet:
        return chain(self.chain_root_id)


def chain(root: int) -> PrescriptionQuerySet:
    """Every version of the chain whose first version is `root`."""
    return Prescription.objects.filter(models.Q(pk=root) | models.Q(chain_id=root))
