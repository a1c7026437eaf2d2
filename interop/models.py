"""The partner read API's credential (issue 13 §2): one bearer token per prescriber.

Only the SHA-256 of the token is stored (common.tokens): a copy of the database
yields no usable token. The token itself is shown once, on the admin page that
issues it. A token works until it expires or is revoked, whichever comes first;
the row is kept after either, so that the audit trail's entries still name it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="fhir_api_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    expires_at = models.DateTimeField(editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "FHIR API token"
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        # Never the token (there is none to show): whose it is and which one.
        return f"FHIR API token {self.pk} of {self.prescriber}"

    def state(self, now: dt.datetime | None = None) -> str:
        """ "revoked", "expired" or "active" at `now`."""
        now = now or timezone.now()
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "active"
