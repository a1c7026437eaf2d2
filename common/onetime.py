"""One-time secret links: an expiring link, reached by a random token, that works once.

A consent request (consents.ConsentRequest) and a measure link
(measures.MeasureLink) are both one: the client opens it from an e-mail without
an account, it expires, it is used up by the one write it allows (a signature,
the submitted answers), and staff can cancel it. This is the part they share;
each app keeps its own fields (what the link is for, who sent it) and its own
wording for a closed link.

Only the SHA-256 of the token is stored (common.tokens), so the table alone
cannot open a link: `by_token` hashes the token it is given.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from django.db import models
from django.utils import timezone

from common.tokens import token_hash


class LinkState(models.TextChoices):
    OPEN = "open", "Open"
    USED = "used", "Used"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


_L = TypeVar("_L", bound="OneTimeLink")


class OneTimeLinkQuerySet(models.QuerySet[_L]):
    def by_token(self, token: str) -> OneTimeLinkQuerySet[_L]:
        """The link of this raw token, whatever its state (an empty queryset if none).

        Chain `.open()` to find only a link that still works; a page that must tell
        an unknown link from a closed one looks the state up on the row instead.
        """
        return self.filter(token_hash=token_hash(token))

    def open(self, now: datetime | None = None) -> OneTimeLinkQuerySet[_L]:
        """Links that still work at `now`: the same test as OneTimeLink.state."""
        return self.filter(
            used_at__isnull=True,
            cancelled_at__isnull=True,
            expires_at__gt=now or timezone.now(),
        )


class OneTimeLink(models.Model):
    """Abstract: the token hash, the lifetime and the two ends of a one-time link.

    A link is open until it is used, cancelled or reaches `expires_at` (at that
    instant it is expired). Used wins over cancelled, and both over expired, so
    a page says what closed the link first-hand rather than "expired" for a link
    that was answered. The write that uses a link must check it again under a row
    lock (select_for_update) before setting `used_at`, so that it works once.
    """

    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = OneTimeLinkQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def state(self, now: datetime | None = None) -> LinkState:
        now = now or timezone.now()
        if self.used_at is not None:
            return LinkState.USED
        if self.cancelled_at is not None:
            return LinkState.CANCELLED
        if self.expires_at <= now:
            return LinkState.EXPIRED
        return LinkState.OPEN

    def is_open(self, now: datetime | None = None) -> bool:
        return self.state(now) == LinkState.OPEN
