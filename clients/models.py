from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower, Upper

from common.fields import EncryptedTextField
from common.reversing import reverse_numbered
from common.timefmt import local_hm


class ClientStatus(models.TextChoices):
    PROSPECTIVE = "prospective", "Prospective"
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    DISCHARGED = "discharged", "Discharged"


# Where a client's status may go next (common.transitions). A client seen once is
# never "prospective" again; a discharged client may come back, as a new prospect or
# straight to active care.
CLIENT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ClientStatus.PROSPECTIVE: (ClientStatus.ACTIVE, ClientStatus.ON_HOLD, ClientStatus.DISCHARGED),
    ClientStatus.ACTIVE: (ClientStatus.ON_HOLD, ClientStatus.DISCHARGED),
    ClientStatus.ON_HOLD: (ClientStatus.ACTIVE, ClientStatus.DISCHARGED),
    ClientStatus.DISCHARGED: (ClientStatus.PROSPECTIVE, ClientStatus.ACTIVE),
}


class Client(models.Model):
    """A person the practice sees, or is about to."""

    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    preferred_name = models.CharField(max_length=80, blank=True)
    pronouns = models.CharField(max_length=40, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    # Digits of `phone` only, so a search for "5550100" finds "(555) 010-0100".
    phone_digits = models.CharField(max_length=32, blank=True, editable=False, db_index=True)
    address_line1 = models.CharField("Address", max_length=120, blank=True)
    address_line2 = models.CharField("Address line 2", max_length=120, blank=True)
    city = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=2, blank=True, help_text="Two letters, e.g. VA.")
    postal_code = models.CharField("ZIP code", max_length=10, blank=True)

    emergency_contact_name = models.CharField(max_length=120, blank=True)
    emergency_contact_relationship = models.CharField(max_length=60, blank=True)
    emergency_contact_phone = models.CharField(max_length=32, blank=True)
    # The adult who usually takes the client home after a dosing session.
    escort_name = models.CharField("Escort / ride name", max_length=120, blank=True)
    escort_relationship = models.CharField("Escort relationship", max_length=60, blank=True)
    escort_phone = models.CharField("Escort phone", max_length=32, blank=True)

    status = models.CharField(
        max_length=20, choices=ClientStatus.choices, default=ClientStatus.PROSPECTIVE
    )
    # The title of the service chosen at intake, as text: the record keeps what was
    # asked for if the service is renamed or removed, and clients sits below website.
    service_of_interest = models.CharField("Service of interest", max_length=200, blank=True)
    assigned_therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_clients",
        limit_choices_to={"role": "therapist", "is_active": True},
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["last_name", "first_name"]),
            # A therapist's own client list, in the list's order, read through one index.
            models.Index(
                fields=["assigned_therapist", "last_name", "first_name", "id"],
                name="client_therapist_name_idx",
            ),
            # The search by date of birth (clients.search), and the inbox's possible
            # duplicates: the same name or e-mail, case aside (intake.queries). The
            # search by part of a name, an e-mail or a phone has trigram indexes on
            # PostgreSQL (migration 0006; pathways/tests/test_explain_pages.py).
            models.Index(fields=["date_of_birth"], name="client_birth_date_idx"),
            models.Index(Upper("last_name"), Upper("first_name"), name="client_name_upper_idx"),
            models.Index(Lower("email"), name="client_email_lower_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.phone_digits = "".join(c for c in self.phone if c.isdigit())
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "phone" in update_fields:
            kwargs["update_fields"] = {*update_fields, "phone_digits"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse_numbered("clients:detail", self.pk)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    # The fields full_name reads: a list that shows it and reads only what it shows
    # (.only(), issue 14) names these, through Client.name_fields(path).
    FULL_NAME_FIELDS = ("first_name", "last_name")

    @classmethod
    def name_fields(cls, path: str) -> tuple[str, ...]:
        """FULL_NAME_FIELDS of the client at `path` ("client__", "" for a Client)."""
        return tuple(f"{path}{f}" for f in cls.FULL_NAME_FIELDS)


# ICD-10-CM: a letter, a digit, a digit or letter, then optionally "." and 1–4 more
# characters (CMS ICD-10-CM Official Guidelines, code structure; U codes such as
# U07.1 are in use). The text is the clinician's; we do not ship the code set.
icd10_validator = RegexValidator(
    r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$",
    "Enter an ICD-10-CM code such as F43.10 or F33.1.",
)


class Diagnosis(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="diagnoses")
    code = models.CharField("ICD-10-CM code", max_length=8, validators=[icd10_validator])
    description = models.CharField(max_length=200)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Current items first, on every database (PostgreSQL sorts NULLs last).
        ordering = [models.F("resolved_at").asc(nulls_first=True), "code"]
        verbose_name_plural = "diagnoses"

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class ReportedMedication(models.Model):
    """A medication the client says they take (not a prescription of ours)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="medications")
    name = models.CharField(max_length=120)
    dose = models.CharField(max_length=80, blank=True, help_text="e.g. 20 mg")
    frequency = models.CharField(max_length=80, blank=True, help_text="e.g. once a day")
    reported_at = models.DateTimeField(auto_now_add=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = [models.F("stopped_at").asc(nulls_first=True), "name"]

    def __str__(self) -> str:
        return " ".join(part for part in (self.name, self.dose, self.frequency) if part)


class Allergy(models.Model):
    class Severity(models.TextChoices):
        UNKNOWN = "unknown", "Unknown"
        MILD = "mild", "Mild"
        MODERATE = "moderate", "Moderate"
        SEVERE = "severe", "Severe"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="allergies")
    substance = models.CharField(max_length=120)
    reaction = models.CharField(max_length=200, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.UNKNOWN)
    reported_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = [models.F("removed_at").asc(nulls_first=True), "substance"]
        verbose_name_plural = "allergies"

    def __str__(self) -> str:
        return self.substance


class BreakGlassGrant(models.Model):
    """Emergency ("break-glass") access: a user named in advance (the permission
    below, given in the Django admin) opens a client outside their care team, with
    a reason, until `expires_at` or until they end it. See clients/breakglass.py."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="break_glass_grants")
    # Why the person needed the record: clinical free text, so encrypted at rest.
    reason = EncryptedTextField()
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["user", "expires_at"])]
        # "Named in advance": the admin gives this permission to a user (or a group).
        permissions = [
            ("break_glass", "May open a client outside their care team in an emergency")
        ]

    def __str__(self) -> str:
        return f"Emergency access #{self.pk}"

    def is_active(self, at: dt.datetime) -> bool:
        return self.ended_at is None and self.started_at <= at < self.expires_at

    def status_at(self, at: dt.datetime) -> str:
        if self.ended_at is not None:
            return "Ended"
        return "In force" if self.is_active(at) else "Expired"

    @property
    def until_label(self) -> str:
        """The end of the window as the practice reads it ("14:05")."""
        return local_hm(self.ended_at or self.expires_at)
