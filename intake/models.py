from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from common.fields import EncryptedTextField


class RequestStatus(models.TextChoices):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    SCHEDULED = "scheduled", "Scheduled"
    CONVERTED = "converted", "Converted to client"
    DECLINED = "declined", "Declined"
    SPAM = "spam", "Spam"


# The workflow: new → contacted → scheduled → converted / declined / spam.
# Declined and spam can be reopened, because a mis-click must not lose a person.
# "Converted" is reached only through "Convert to client", which creates the record.
REQUEST_TRANSITIONS: dict[str, tuple[str, ...]] = {
    RequestStatus.NEW: (RequestStatus.CONTACTED, RequestStatus.DECLINED, RequestStatus.SPAM),
    RequestStatus.CONTACTED: (RequestStatus.SCHEDULED, RequestStatus.DECLINED, RequestStatus.SPAM),
    RequestStatus.SCHEDULED: (RequestStatus.DECLINED,),
    RequestStatus.DECLINED: (RequestStatus.NEW,),
    RequestStatus.SPAM: (RequestStatus.NEW,),
    RequestStatus.CONVERTED: (),
}
CONVERTIBLE = (RequestStatus.SCHEDULED,)


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "E-mail"


class ContactTime(models.TextChoices):
    MORNING = "morning", "Weekday mornings"
    AFTERNOON = "afternoon", "Weekday afternoons"
    EVENING = "evening", "Weekday evenings"
    WEEKEND = "weekend", "Weekends"


class HeardAbout(models.TextChoices):
    SEARCH = "search", "Web search"
    CLINICIAN = "clinician", "A doctor or therapist"
    FRIEND = "friend", "Friend or family"
    DIRECTORY = "directory", "Insurance or therapist directory"
    SOCIAL = "social", "Social media"
    OTHER = "other", "Other"


class AppointmentRequest(models.Model):
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    email = models.EmailField()
    phone = models.CharField(max_length=32)
    preferred_contact = models.CharField(max_length=10, choices=ContactMethod.choices)
    preferred_times = models.JSONField(default=list, blank=True)
    service = models.ForeignKey(
        "website.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = EncryptedTextField(max_length=1000)
    heard_about = models.CharField(max_length=20, choices=HeardAbout.choices, blank=True)
    consent_to_contact = models.BooleanField()
    not_emergency_ack = models.BooleanField()

    status = models.CharField(
        max_length=12, choices=RequestStatus.choices, default=RequestStatus.NEW, db_index=True
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_requests",
    )
    client = models.OneToOneField(
        "clients.Client",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="source_request",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # One per rendered form: a double submit finds the row it already made.
    submission_token = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    # A keyed hash of the sender's IP, for the rate limit; the address itself is not kept.
    ip_hash = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Request #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("intake:request", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def allowed_transitions(self) -> tuple[str, ...]:
        return REQUEST_TRANSITIONS[self.status]

    def can_convert(self) -> bool:
        return self.status in CONVERTIBLE and self.client_id is None

    def preferred_time_labels(self) -> list[str]:
        labels = dict(ContactTime.choices)
        return [str(labels.get(value, value)) for value in self.preferred_times]


class StatusChange(models.Model):
    request = models.ForeignKey(
        AppointmentRequest, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=12, choices=RequestStatus.choices)
    to_status = models.CharField(max_length=12, choices=RequestStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class RequestNote(models.Model):
    """An internal note on a request. Staff only; never shown to the requester."""

    request = models.ForeignKey(AppointmentRequest, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    body = EncryptedTextField(max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Note #{self.pk}"


class ContactMessage(models.Model):
    """A general question sent from the public contact form."""

    name = models.CharField(max_length=120)
    email = models.EmailField()
    phone = models.CharField(max_length=32, blank=True)
    message = EncryptedTextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submission_token = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    ip_hash = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Message #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("intake:message", args=[self.pk])
