from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse


class Route(models.TextChoices):
    # Routes and formulations used in KAP practice (clinical-reference.md, "Doses").
    SUBLINGUAL = "sublingual", "Sublingual rapid-dissolve tablet or troche"
    INTRAMUSCULAR = "intramuscular", "Intramuscular injection"
    INTRANASAL = "intranasal", "Intranasal"
    ORAL = "oral", "Oral"


class RxStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUPERSEDED = "superseded", "Superseded by a newer version"
    DISCONTINUED = "discontinued", "Discontinued"


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
    route = models.CharField(max_length=16, choices=Route.choices)
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
    sessions_authorised = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    valid_from = models.DateField()
    valid_to = models.DateField()
    holds_instructions = models.TextField(
        "Medication holds before dosing",
        blank=True,
        help_text="e.g. no benzodiazepines for 24 h before; no stimulants that day.",
    )
    fasting_instructions = models.TextField(
        "Fasting", blank=True, help_text="e.g. no food for 4 hours before the session."
    )
    max_systolic = models.PositiveIntegerField(
        "Highest systolic BP before dosing (mmHg)",
        validators=[MinValueValidator(80), MaxValueValidator(220)],
    )
    max_diastolic = models.PositiveIntegerField(
        "Highest diastolic BP before dosing (mmHg)",
        validators=[MinValueValidator(40), MaxValueValidator(140)],
    )
    hr_min = models.PositiveIntegerField(
        "Lowest heart rate (/min)", validators=[MinValueValidator(30), MaxValueValidator(120)]
    )
    hr_max = models.PositiveIntegerField(
        "Highest heart rate (/min)", validators=[MinValueValidator(50), MaxValueValidator(200)]
    )
    spo2_min = models.PositiveIntegerField(
        "Lowest SpO2 (%)", validators=[MinValueValidator(80), MaxValueValidator(100)]
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

    def __str__(self) -> str:
        return f"{self.medication} {self.dose_mg} mg {self.get_route_display()} (v{self.version})"

    def get_absolute_url(self) -> str:
        return reverse("prescriptions:detail", args=[self.pk])

    @property
    def chain_root_id(self) -> int:
        return self.chain_id or self.pk

    def is_valid_on(self, day: dt.date) -> bool:
        return self.status == RxStatus.ACTIVE and self.valid_from <= day <= self.valid_to

    def sessions_used(self) -> int:
        from treatment.models import SessionKind, TreatmentSession

        return (
            TreatmentSession.objects.filter(
                kind=SessionKind.DOSING, prescription__in=self.chain_versions()
            )
            .exclude(started_at=None)
            .count()
        )

    def sessions_left(self) -> int:
        return max(self.sessions_authorised - self.sessions_used(), 0)

    def chain_versions(self) -> PrescriptionQuerySet:
        root = self.chain_root_id
        return Prescription.objects.filter(models.Q(pk=root) | models.Q(chain_id=root))
