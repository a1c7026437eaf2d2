from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from common.reversing import reverse_numbered


class Partner(models.Model):
    """A medication-management partner organisation that evaluates and prescribes."""

    name = models.CharField(max_length=120, unique=True)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PartnerMembership(models.Model):
    """A prescriber's place in the partner organisation they work for (one at most).

    It decides what the partner portal shows them: the referrals to this partner,
    and what hangs off those. A user with no membership sees nothing there.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_membership"
    )
    # PROTECT: an organisation with people in it is made inactive, not deleted.
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="memberships")

    def __str__(self) -> str:
        return f"{self.user} at {self.partner}"


class ReferralStatus(models.TextChoices):
    SENT = "sent", "Sent"
    SCHEDULED = "scheduled", "Evaluation scheduled"
    NEEDS_INFO = "needs_info", "Needs more information"
    INFO_PROVIDED = "info_provided", "Information provided"
    ELIGIBLE = "eligible", "Evaluated: eligible"
    NOT_ELIGIBLE = "not_eligible", "Evaluated: not eligible"
    CLOSED = "closed", "Closed"


class Step(models.TextChoices):
    """What happened on a referral: one entry per step, in its thread."""

    SENT = "sent", "Referral sent"
    SCHEDULED = "scheduled", "Evaluation scheduled"
    ELIGIBLE = "eligible", "Evaluated: eligible"
    NOT_ELIGIBLE = "not_eligible", "Evaluated: not eligible"
    NEEDS_INFO = "needs_info", "Question from the prescriber"
    ANSWER = "answer", "Answer from the therapist"
    CLOSED = "closed", "Referral closed"


S = ReferralStatus
# The referral state machine: step → (statuses it may start from, status it leads to).
# Scheduling may be repeated (a reschedule). After a question is answered the
# prescriber evaluates again. Closed is final: a new referral starts afresh.
STEPS: dict[str, tuple[tuple[str, ...], str]] = {
    Step.SCHEDULED: ((S.SENT, S.SCHEDULED, S.INFO_PROVIDED), S.SCHEDULED),
    Step.ELIGIBLE: ((S.SCHEDULED, S.INFO_PROVIDED), S.ELIGIBLE),
    Step.NOT_ELIGIBLE: ((S.SCHEDULED, S.INFO_PROVIDED), S.NOT_ELIGIBLE),
    Step.NEEDS_INFO: ((S.SCHEDULED, S.INFO_PROVIDED), S.NEEDS_INFO),
    Step.ANSWER: ((S.NEEDS_INFO,), S.INFO_PROVIDED),
    Step.CLOSED: (
        (S.SENT, S.SCHEDULED, S.NEEDS_INFO, S.INFO_PROVIDED, S.ELIGIBLE, S.NOT_ELIGIBLE),
        S.CLOSED,
    ),
}
# The same lifecycle as a status table (common.transitions), derived from STEPS so
# that the two cannot disagree.
REFERRAL_TRANSITIONS: dict[str, tuple[str, ...]] = {
    status: tuple(dict.fromkeys(t for sources, t in STEPS.values() if status in sources))
    for status in ReferralStatus.values
}
# Which side takes each step. Either side may close.
PRESCRIBER_STEPS = (Step.SCHEDULED, Step.ELIGIBLE, Step.NOT_ELIGIBLE, Step.NEEDS_INFO)
PRACTICE_STEPS = (Step.ANSWER,)


class Referral(models.Model):
    """A client referred to a partner for a KAP medical evaluation.

    The clinical content is a snapshot taken when sending: the partner sees what
    was shared then, not the live record.
    """

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="referrals"
    )
    # No index of its own: referral_partner_sent (below) leads with the partner.
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="referrals", db_index=False
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    release = models.ForeignKey(
        "consents.SignedConsent",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The signed release of information this referral was sent under.",
    )
    reason = models.TextField(max_length=2000)
    diagnoses = models.JSONField(default=list)  # [{"code", "description"}]
    medications = models.JSONField(default=list)  # ["name dose frequency"]
    allergies = models.JSONField(default=list)  # ["substance (reaction)"]
    prescreen = models.JSONField(default=dict)  # {item key: "yes" | "no" | "unknown"}
    prescreen_notes = models.TextField(blank=True, max_length=2000)
    measure_scores = models.JSONField(default=list)  # [{"instrument", "score", "date"}]

    status = models.CharField(
        max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    evaluation_at = models.DateTimeField(null=True, blank=True)
    not_eligible_reason = models.TextField(blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            # The portal's referral list, newest first: read in this order, a page stops
            # after its 25 rows instead of sorting every referral of the partner, each
            # with its release-in-force check (issue 14).
            models.Index(fields=["partner", "sent_at", "id"], name="referral_partner_sent"),
            # The referrals where the prescriber waits on the practice (Today's
            # "Referrals waiting for you", pathways.today.PRACTICE_TO_ACT), oldest first:
            # without it every referral was read for the few of a status (issue 14). Not
            # partial: SQLite cannot match a partial index's status to a bound value.
            models.Index(fields=["status", "updated_at", "id"], name="referral_status_idx"),
        ]

    def __str__(self) -> str:
        return f"Referral #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse_numbered("partners:referral", self.pk)

    def allowed_steps(self) -> list[str]:
        return [step for step, (sources, _) in STEPS.items() if self.status in sources]


class ReferralEvent(models.Model):
    """One step of a referral's thread, seen by both sides."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    step = models.CharField(max_length=16, choices=Step.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    text = models.TextField(blank=True, max_length=4000)
    evaluation_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_step_display()} ({self.at:%Y-%m-%d})"


class DisclosureKind(models.TextChoices):
    """What was disclosed: the kind names the object ids stored beside it."""

    REFERRAL = "referral", "Referral (contact, diagnoses, medications, scores)"
    REFERRAL_LIST = "referral_list", "Referral list entry (name, date of birth, status)"
    MESSAGE = "message", "Message from the practice on the referral"
    PRESCRIPTION = "prescription", "Prescription"
    SESSION_SUMMARY = "session_summary", "Dosing session summary"
    # Issue 13: the FHIR exports. The whole record, downloaded from the chart by a member
    # of staff (for the client or another provider: no partner, no release); and the
    # resources the partner read API served about the client in one call.
    FHIR_EXPORT = "fhir_export", "The whole record as a FHIR file (Bundle)"
    FHIR_API_READ = "fhir_api_read", "FHIR resources read through the partner API"


class DisclosureChannel(models.TextChoices):
    """How it was disclosed."""

    PORTAL_READ = "portal_read", "Read by the partner in the portal"
    PRACTICE_SEND = "practice_send", "Sent by the practice"
    DOWNLOAD = "download", "Downloaded from the chart by staff"
    API_READ = "api_read", "Read through the partner API (FHIR)"


class DisclosurePurpose(models.TextChoices):
    """Why (45 CFR 164.528(b)(2)(iv): a brief statement of the purpose), chosen from a
    list rather than typed: the accounting holds no free text."""

    CLIENT_REQUEST = "client_request", "Client request / continuity of care"
    CLIENT_COPY = "client_copy", "The client's own copy of their record (right of access)"
    OTHER_PROVIDER = "other_provider", "Continuity of care with another provider"
    TREATMENT = "treatment", "Treatment: medication management by the referred partner"


class DisclosureQuerySet(models.QuerySet["Disclosure"]):
    # The accounting is kept as written: bulk paths are closed too.
    def update(self, **kwargs: object) -> int:
        raise ImmutableDisclosureError("A disclosure record cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableDisclosureError("A disclosure record cannot be deleted")


class ImmutableDisclosureError(Exception):
    pass


class Disclosure(models.Model):
    """One disclosure of a client's information to a partner: the accounting of
    disclosures. Written in the same transaction as the disclosure, never changed.

    `object_ids` names what was disclosed by id only ({"referral": 3, "event": 9}),
    never free text; `release` is the release of information in force at that moment.
    A FHIR export downloaded from the chart goes to no partner and under no release:
    its recipient is `by`, the member of staff who downloaded it, and it says why in
    `purpose`; every other kind names both (the constraint below).
    """

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    release = models.ForeignKey(
        "consents.SignedConsent", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    kind = models.CharField(max_length=20, choices=DisclosureKind.choices)
    purpose = models.CharField(max_length=20, choices=DisclosurePurpose.choices, blank=True)
    channel = models.CharField(max_length=16, choices=DisclosureChannel.choices)
    object_ids = models.JSONField(default=dict)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["client", "-at"], name="disclosure_client_at")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind=DisclosureKind.FHIR_EXPORT)
                | models.Q(partner__isnull=False, release__isnull=False),
                name="disclosure_partner_release",
            )
        ]

    def __str__(self) -> str:
        return f"Disclosure #{self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableDisclosureError("A disclosure record cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableDisclosureError("A disclosure record cannot be deleted")

    @property
    def recipient(self) -> str:
        """To whom: the partner organisation, or the member of staff who downloaded it."""
        if self.partner is not None:
            return self.partner.name
        return f"{self.by.get_full_name() or self.by.get_username()} (staff download)"
