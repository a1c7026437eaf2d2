from __future__ import annotations

import unicodedata
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from common.fields import EncryptedTextField
from common.reversing import reverse_numbered


def digits_of(phone: str) -> str:
    """The digits of a phone number: "(555) 010-0123" and "555.010.0123" are one number."""
    return "".join(ch for ch in phone if ch.isdigit())


def without_accents(text: str) -> str:
    """ "Zoë Núñez" → "Zoe Nunez"."""
    if text.isascii():
        # ASCII is its own decomposition and holds no combining mark: most names are,
        # and the inbox asks for each of a page's names and their candidates' (issue 14).
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def name_key(first: str, last: str) -> str:
    """A name with case, accents and spacing aside: "Zoë  O'Brien" ≡ "zoe o'brien"."""
    return " ".join(without_accents(f"{first} {last}").casefold().split())


class RequestStatus(models.TextChoices):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    SCHEDULED = "scheduled", "Scheduled"
    CONVERTED = "converted", "Converted to client"
    DECLINED = "declined", "Declined"
    SPAM = "spam", "Spam"
    # A second request from the same person, folded into the first (merged_into).
    MERGED = "merged", "Merged into another request"


# The workflow: new → contacted → scheduled → converted / declined / spam.
# Declined and spam can be reopened, because a mis-click must not lose a person.
# "Converted" is reached only through "Convert to client", which creates the record;
# "merged" only through the merge, which keeps everything on the first request.
_OPEN_MERGE = (RequestStatus.MERGED,)
REQUEST_TRANSITIONS: dict[str, tuple[str, ...]] = {
    RequestStatus.NEW: (
        RequestStatus.CONTACTED,
        RequestStatus.DECLINED,
        RequestStatus.SPAM,
        *_OPEN_MERGE,
    ),
    RequestStatus.CONTACTED: (
        RequestStatus.SCHEDULED,
        RequestStatus.DECLINED,
        RequestStatus.SPAM,
        *_OPEN_MERGE,
    ),
    RequestStatus.SCHEDULED: (RequestStatus.DECLINED, *_OPEN_MERGE),
    RequestStatus.DECLINED: (RequestStatus.NEW, *_OPEN_MERGE),
    RequestStatus.SPAM: (RequestStatus.NEW,),
    RequestStatus.CONVERTED: (),
    RequestStatus.MERGED: (),
}
CONVERTIBLE = (RequestStatus.SCHEDULED,)
# The moves that close a request: each asks for a confirm, declining for its reason too.
CLOSING = (RequestStatus.DECLINED, RequestStatus.SPAM)
# The moves the status buttons offer (forward, or reopening): never a closing one.
FORWARD = (RequestStatus.CONTACTED, RequestStatus.SCHEDULED, RequestStatus.NEW)


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
    # For the duplicate checks (intake.queries): the phone's digits, and the name with
    # case and accents aside. Kept in step with the fields by save().
    phone_digits = models.CharField(max_length=32, blank=True, editable=False, db_index=True)
    name_key = models.CharField(max_length=170, blank=True, editable=False, db_index=True)
    # The same person sent the public form again within a day: counted here, not stored twice.
    sent_again_count = models.PositiveIntegerField(default=0)
    sent_again_at = models.DateTimeField(null=True, blank=True)
    # A duplicate folded into the first request (status "merged"); its notes moved there.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_requests"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The inbox's filters, each in the inbox's order (newest first), and the
            # possible-duplicate lookup by e-mail, case aside (intake.queries); the phone
            # and the name key have their own (pathways/tests/test_explain_pages.py).
            models.Index(fields=["status", "created_at"], name="request_status_at_idx"),
            models.Index(fields=["service", "created_at"], name="request_service_at_idx"),
            models.Index(fields=["assigned_to", "created_at"], name="request_assigned_at_idx"),
            models.Index(Lower("email"), name="request_email_lower_idx"),
        ]

    def __str__(self) -> str:
        return f"Request #{self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.phone_digits = digits_of(self.phone)
        self.name_key = name_key(self.first_name, self.last_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "phone_digits", "name_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse_numbered("intake:request", self.pk)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def allowed_transitions(self) -> tuple[str, ...]:
        return REQUEST_TRANSITIONS[self.status]

    def forward_transitions(self) -> list[tuple[str, str]]:
        """The status buttons: (value, label) of the forward moves allowed now."""
        labels = {
            RequestStatus.CONTACTED: "Mark as contacted",
            RequestStatus.SCHEDULED: "Mark as scheduled",
            RequestStatus.NEW: "Reopen",
        }
        allowed = self.allowed_transitions()
        return [(value, labels[value]) for value in FORWARD if value in allowed]

    def can_close(self, status: str) -> bool:
        return status in self.allowed_transitions()

    def can_decline(self) -> bool:
        return self.can_close(RequestStatus.DECLINED)

    def can_mark_spam(self) -> bool:
        return self.can_close(RequestStatus.SPAM)

    def can_merge(self) -> bool:
        return RequestStatus.MERGED in self.allowed_transitions() and self.client_id is None

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
    # Why (declined, converted despite a possible duplicate, merged): free text about a
    # person, so encrypted at rest.
    reason = EncryptedTextField(max_length=500, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class RequestNote(models.Model):
    """An internal note on a request. Staff only; never shown to the requester."""

    request = models.ForeignKey(AppointmentRequest, on_delete=models.CASCADE, related_name="notes")
    # Nobody when the requester's own words were kept (the form sent again).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = EncryptedTextField(max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)
    # The keyed hash of the sender's address when the form was sent again: the public
    # forms' rate limit counts these, so sending the same form again is limited too.
    ip_hash = models.CharField(max_length=64, blank=True, db_index=True)

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
        return reverse_numbered("intake:message", self.pk)
