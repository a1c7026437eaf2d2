from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import models

from common.onetime import OneTimeLink


class ConsentKind(models.TextChoices):
    KAP = "kap", "KAP informed consent"
    KA_EMDR = "ka_emdr", "KA-EMDR informed consent"
    ROI = "roi", "Release of information to a medication-management partner"
    TELEHEALTH = "telehealth", "Telehealth consent"


class ImmutableError(Exception):
    pass


class ConsentDocument(models.Model):
    """One version of a consent form. Published versions are never edited:
    a change is a new version, so every signature points at the exact text."""

    kind = models.CharField(max_length=16, choices=ConsentKind.choices)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Plain text; a blank line starts a new paragraph.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="consent_kind_version")
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableError("A published consent version cannot be changed")
        if not self.version:
            latest = ConsentDocument.objects.filter(kind=self.kind).aggregate(
                v=models.Max("version")
            )["v"]
            self.version = (latest or 0) + 1
        super().save(*args, **kwargs)

    @property
    def sha256(self) -> str:
        # What the signer saw: kind, version, title and body, exactly.
        text = f"{self.kind}\n{self.version}\n{self.title}\n{self.body}"
        return hashlib.sha256(text.encode()).hexdigest()

    @classmethod
    def latest(cls, kind: str) -> ConsentDocument | None:
        return cls.objects.filter(kind=kind).order_by("-version").first()


class ConsentRequest(OneTimeLink):
    """A secret, expiring, single-use link for the client to sign one document.

    The token, its lifetime (CONSENT_LINK_HOURS), its use (the signature) and
    its cancelling are common.onetime.OneTimeLink's; only a hash of the token is
    stored, so the database alone cannot open a link.
    """

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(ConsentDocument, on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(OneTimeLink.Meta):
        indexes = [
            # A client's requests still open, by expiry: Today's "consents waiting" of a
            # therapist's clients. Through the client index alone every request ever
            # sent was read, signed ones included (issue 14).
            models.Index(
                fields=["client", "expires_at"],
                name="consentrequest_open_idx",
                condition=models.Q(cancelled_at__isnull=True, used_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"Consent request #{self.pk}"


class SignedConsentQuerySet(models.QuerySet["SignedConsent"]):
    def in_force(self) -> SignedConsentQuerySet:
        return self.filter(revocation__isnull=True)

    # Bulk paths bypass save()/delete(), so they are closed here too.
    def update(self, **kwargs: Any) -> int:
        raise ImmutableError("A signed consent cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableError("A signed consent cannot be deleted")


class SignedConsent(models.Model):
    """The client's signature on one exact document version. Immutable once written;
    revoking adds a ConsentRevocation beside it."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="signed_consents"
    )
    document = models.ForeignKey(ConsentDocument, on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    request = models.OneToOneField(
        ConsentRequest, null=True, on_delete=models.PROTECT, related_name="signature"
    )
    typed_name = models.CharField(max_length=160)
    agreed = models.BooleanField()
    signed_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    document_sha256 = models.CharField(max_length=64)
    # The text as signed, so the copy stands on its own.
    title_signed = models.CharField(max_length=200)
    body_signed = models.TextField()

    objects = SignedConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_at"]
        # The release in force is looked up per referral by (client, partner) on every
        # partner portal page; with only single-column indexes SQLite walked all of the
        # partner's releases for each referral (32 s for the portal home at 10,000
        # clients, issue 14).
        indexes = [
            models.Index(
                fields=["client", "partner", "signed_at"], name="consent_client_partner_at"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title_signed} signed {self.signed_at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableError("A signed consent cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableError("A signed consent cannot be deleted")

    @property
    def is_revoked(self) -> bool:
        return hasattr(self, "revocation")


class ConsentRevocation(models.Model):
    consent = models.OneToOneField(
        SignedConsent, on_delete=models.PROTECT, related_name="revocation"
    )
    revoked_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=300)

    def __str__(self) -> str:
        return f"Revocation of {self.consent_id}"
