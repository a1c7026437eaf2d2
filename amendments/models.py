"""A client's request to amend their record (HIPAA 45 CFR 164.526; ONC 170.315(d)(4)).

The request names the part of the record it concerns. The practice acts on it within
60 days of receipt, or extends once by 30 days with a written reason (164.526(b)(2)).
Accepted: the change itself is made through the record's own pages, and the request
keeps a note of what changed and a link to where (164.526(c)). Denied: the basis is one
of 164.526(a)(2); the client may file a statement of disagreement, which is appended,
and the practice may append a rebuttal (164.526(d)). Nothing is ever removed: the page
of a request shows the whole history, in order.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from common.fields import EncryptedTextField
from common.reversing import reverse_numbered

# 164.526(b)(2): act no later than 60 days after receipt; one extension of no more
# than 30 days, with a written statement of the reasons, given within the 60 days.
DAYS_TO_ACT = 60
EXTENSION_DAYS = 30
TEXT_MAX = 4000


class RecordPart(models.TextChoices):
    DEMOGRAPHICS = "demographics", "Demographics and contact details"
    DIAGNOSES = "diagnoses", "Diagnoses"
    MEDICATIONS = "medications", "Medications and allergies"
    SESSION_NOTE = "session_note", "A session note"
    MEASURE = "measure", "A measure (questionnaire)"
    OTHER = "other", "Other"


class AmendmentStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    EXTENDED = "extended", "Extended"
    ACCEPTED = "accepted", "Accepted"
    DENIED = "denied", "Denied"


# received → accepted or denied, or extended first; the table lets "extended" move
# only to a decision, so a request is extended once at most.
AMENDMENT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    AmendmentStatus.RECEIVED: (
        AmendmentStatus.EXTENDED,
        AmendmentStatus.ACCEPTED,
        AmendmentStatus.DENIED,
    ),
    AmendmentStatus.EXTENDED: (AmendmentStatus.ACCEPTED, AmendmentStatus.DENIED),
    AmendmentStatus.ACCEPTED: (),
    AmendmentStatus.DENIED: (),
}
OPEN_STATUSES = (AmendmentStatus.RECEIVED, AmendmentStatus.EXTENDED)


class DenialBasis(models.TextChoices):
    """The grounds for a denial, 45 CFR 164.526(a)(2)(i)–(iv)."""

    NOT_CREATED_HERE = (
        "not_created_here",
        "Not created by the practice (and its originator is available to act on it)",
    )
    NOT_IN_RECORD_SET = "not_in_record_set", "Not part of the designated record set"
    NOT_AVAILABLE = (
        "not_available",
        "Not available for inspection under the right of access (164.524)",
    )
    ACCURATE = "accurate", "Accurate and complete"


class AmendmentRequest(models.Model):
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="amendment_requests"
    )
    received_on = models.DateField()
    requested_change = EncryptedTextField(max_length=TEXT_MAX)
    concerns = models.CharField(max_length=20, choices=RecordPart.choices)
    # Which entry, e.g. "session note of 3 March": a pointer, not clinical content.
    reference = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=AmendmentStatus.choices, default=AmendmentStatus.RECEIVED
    )
    due_on = models.DateField()

    extended_at = models.DateTimeField(null=True, blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    extension_reason = EncryptedTextField(max_length=TEXT_MAX, blank=True)

    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Accepted: what was changed. Denied: the explanation given to the client.
    decision_note = EncryptedTextField(max_length=TEXT_MAX, blank=True)
    # Accepted: where the amended entry is (a staff page of this site).
    amendment_link = models.CharField(max_length=200, blank=True)
    denial_basis = models.CharField(max_length=20, choices=DenialBasis.choices, blank=True)

    disagreement = EncryptedTextField(max_length=TEXT_MAX, blank=True)
    disagreement_at = models.DateTimeField(null=True, blank=True)
    disagreement_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rebuttal = EncryptedTextField(max_length=TEXT_MAX, blank=True)
    rebuttal_at = models.DateTimeField(null=True, blank=True)
    rebuttal_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"Amendment request #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse_numbered("amendments:detail", self.pk)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: dt.date) -> bool:
        """Still undecided after its due day."""
        return self.is_open and today > self.due_on
