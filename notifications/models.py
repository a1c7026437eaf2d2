from __future__ import annotations

from django.db import models

from common.fields import EncryptedTextField


class OutboundEmail(models.Model):
    """An e-mail waiting to go out, or gone: a transactional outbox.

    The row is written in the same database transaction as the change that
    caused it, so a notification is never lost even if the task queue or the
    mail server is down; `notifications.tasks.email_send` delivers it and
    retries with back-off. Bodies hold no PHI by design (see the templates), but
    some hold a secret link (a consent to sign, questionnaires to answer): the body
    is stored encrypted (common.fields) and erased once the e-mail is sent or given
    up, so no database read or backup yields a usable link.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (gave up)"

    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = EncryptedTextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # The exception class only: a message could echo an address or a body.
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"OutboundEmail #{self.pk} ({self.status})"


_Status = OutboundEmail.Status
# Where an e-mail's status may go (common.transitions): a pending e-mail is sent or,
# after EMAIL_MAX_ATTEMPTS, given up; both are final (a new message is a new row).
EMAIL_TRANSITIONS: dict[str, tuple[str, ...]] = {
    _Status.PENDING: (_Status.SENT, _Status.FAILED),
    _Status.SENT: (),
    _Status.FAILED: (),
}
