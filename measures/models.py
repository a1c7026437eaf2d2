"""Outcome instruments stored in the database, loaded from the JSON definitions in
``measures/instruments/`` by ``manage.py load_instruments``. The definition is the
whole validated document; ``measures.scoring`` works on it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from common.fields import EncryptedTextField
from common.onetime import OneTimeLink


class Instrument(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=40)
    version = models.CharField(max_length=40)
    definition = models.JSONField()
    loaded_at = models.DateTimeField(auto_now=True)

    objects: models.Manager[Instrument] = models.Manager()

    class Meta:
        ordering = ["short_name"]

    def __str__(self) -> str:
        return f"{self.short_name} (v{self.version})"


class Reason(models.TextChoices):
    MANUAL = "manual", "Sent by staff"
    BASELINE = "baseline", "Baseline (intake)"
    PRE_DOSING = "pre_dosing", "24 h before a dosing session"
    INTEGRATION = "integration", "At an integration session"
    FOLLOW_UP = "follow_up", "Monthly follow-up after the course"
    # Never sent: keeps an incomplete paper form's answers (measures/paper.py).
    PAPER = "paper", "Incomplete paper form (kept for its safety answer)"


class MeasureLink(OneTimeLink):
    """A secret link for the client to answer one or more instruments.

    A common.onetime.OneTimeLink: works once (the final submit uses it up) and
    expires after MEASURE_LINK_DAYS. Only a hash of the token is stored. Answers
    typed so far are kept in `draft`, so the client can leave and come back
    through the link.
    """

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    instruments = models.JSONField()  # ordered list of instrument codes
    reason = models.CharField(max_length=12, choices=Reason.choices, default=Reason.MANUAL)
    course = models.ForeignKey(
        "treatment.TreatmentCourse",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    session = models.ForeignKey(
        "treatment.TreatmentSession",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    draft = models.JSONField(default=dict, blank=True)  # {code: {item: value}}
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(OneTimeLink.Meta):
        indexes = [
            # A client's links still open (not used, not cancelled), by expiry: Today's
            # "measures due" of a therapist's clients, and a chart's. Through the client
            # index alone each client's every link was read (15 a client and growing,
            # about 10,000 rows for a therapist's Today at 10,000 clients; issue 14).
            models.Index(
                fields=["client", "expires_at"],
                name="measurelink_open_idx",
                condition=models.Q(cancelled_at__isnull=True, used_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"Measure link #{self.pk}"


class Source(models.TextChoices):
    LINK = "link", "Answered by the client (secure link)"
    PAPER = "paper", "Entered from a paper form"
    # Answers the client gave a previous provider, read from the FHIR file it sent
    # (interop.importing); `entered_by` is the member of staff who imported it.
    FHIR = "fhir", "Imported from a previous provider's FHIR file"


class Response(models.Model):
    """One completed instrument, scored with the definition it was answered on."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="measure_responses"
    )
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="responses")
    definition_version = models.CharField(max_length=40)
    link = models.ForeignKey(
        MeasureLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    source = models.CharField(max_length=6, choices=Source.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answers = models.JSONField()  # {item number (str): value}
    unscored = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField()
    band_key = models.CharField(max_length=40)
    band_label = models.CharField(max_length=80)
    subscores = models.JSONField(default=dict, blank=True)
    provisional = models.BooleanField(null=True, blank=True)
    answered_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-answered_at", "-id"]
        indexes = [
            # A client's scores of one instrument in time order: the outcomes report's
            # baseline and latest score of each course (measures.outcomes.aggregate)
            # and a client's charts.
            models.Index(
                fields=["client", "instrument", "answered_at"],
                name="measures_resp_client_instr_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument.short_name} {self.total} ({self.answered_at:%Y-%m-%d})"


class AlertAction(models.TextChoices):
    """What the clinician did about a safety alert, chosen when acknowledging it.

    The choices are the usual same-day follow-ups to a positive PHQ-9 item 9: the
    Safety Planning Intervention (Stanley & Brown 2012, Cogn Behav Pract 19(2):256),
    a Columbia Suicide Severity Rating Scale screen (Posner et al. 2011, Am J
    Psychiatry 168(12):1266), or contacting crisis services. "No action needed"
    is allowed only with a reason in the note (measures.alerts.services.alert_acknowledge).
    """

    SAFETY_PLAN = "safety_plan", "Safety plan reviewed with the client"
    CSSRS = "cssrs", "C-SSRS screen done"
    CRISIS_SERVICES = "crisis_services", "Crisis services contacted"
    NO_ACTION = "no_action", "No action needed (give the reason in the note)"


class SafetyAlert(models.Model):
    """A safety item answered above its threshold (PHQ-9 item 9 > 0).

    Raised the moment the answer is saved, whether or not the questionnaire is
    finished (see measures.alerts.safety). What it points at:

    - ``response``: the stored, complete Response the answer is in. Empty while
      the answer is only in a secret link's draft (saved for later, or a submit
      refused as incomplete); filled in when that link is submitted, so the alert
      is never raised twice for the same answer.
    - ``link`` + ``instrument``: where a client's answer came from; together with
      ``item`` they identify the alert of a draft (one per link, instrument and
      item). Paper entries have no link; every alert has a response or a link.

    It must be acknowledged by a clinician with an action from AlertAction and a
    note. Until then it shows on the staff dashboard, blocks the dosing readiness
    gate, and escalates to the admin after SAFETY_ALERT_ESCALATE_HOURS.
    """

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="safety_alerts"
    )
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    response = models.ForeignKey(
        Response, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    # PROTECT: a draft's answers live on the link; the alert must not lose them.
    link = models.ForeignKey(
        MeasureLink,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="safety_alerts",
    )
    item = models.PositiveSmallIntegerField()
    value = models.PositiveSmallIntegerField()
    raised_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Blank until acknowledged (and on alerts acknowledged before it was recorded).
    action = models.CharField(max_length=20, choices=AlertAction.choices, blank=True)
    action_note = EncryptedTextField(blank=True, max_length=4000)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        indexes = [
            # The open alerts, oldest first (Today, the alerts page, the escalation job)
            # and their count in every staff page's navigation: without it each staff
            # page read every alert ever raised (issue 14). Partial: the open ones only.
            models.Index(
                fields=["raised_at", "id"],
                name="alert_open_raised_idx",
                condition=models.Q(acknowledged_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(response__isnull=False) | models.Q(link__isnull=False),
                name="measures_safetyalert_has_a_source",
            ),
            # The database's own guard for "one alert per answer", beside the
            # row lock in measures.alerts.safety.
            # One OPEN alert per answer: a higher answer after an acknowledgement
            # raises a new one beside the acknowledged alert.
            models.UniqueConstraint(
                fields=["response", "item"],
                condition=models.Q(response__isnull=False, acknowledged_at__isnull=True),
                name="measures_safetyalert_open_once_per_response_item",
            ),
            models.UniqueConstraint(
                fields=["link", "instrument", "item"],
                condition=models.Q(link__isnull=False, acknowledged_at__isnull=True),
                name="measures_safetyalert_open_once_per_link_item",
            ),
        ]

    def __str__(self) -> str:
        return f"Safety alert #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None


class MeasureSchedule(models.Model):
    """Which measures a course sends, and when."""

    course = models.OneToOneField(
        "treatment.TreatmentCourse", on_delete=models.CASCADE, related_name="measure_schedule"
    )
    instruments = models.JSONField()  # list of instrument codes
    at_intake = models.BooleanField("At intake (baseline)", default=True)
    before_dosing = models.BooleanField("24 h before each dosing session", default=True)
    at_integration = models.BooleanField("At each integration session", default=True)
    monthly_after = models.BooleanField("Monthly for 6 months after the course", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"Measure schedule for course {self.course_id}"


class OutcomesDataVersion(models.Model):
    """One row whose `token` changes, by database trigger, whenever anything the
    practice outcomes report reads changes: a score, an instrument, a course, a session,
    a dosing record or an administration, by insert, update or delete, whether through
    the ORM, a bulk update or SQL (migration measures/0008). The report keeps its last
    result per range in the process until the token differs (measures.outcomes.cache).

    The token is random rather than a counter: a database emptied or restored from a
    backup never hands an old number back to a process that kept a result for it."""

    token = models.BigIntegerField()

    def __str__(self) -> str:
        return f"Outcomes data version {self.token}"
