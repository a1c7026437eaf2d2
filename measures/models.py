"""Outcome instruments stored in the database, loaded from the JSON definitions in
``measures/instruments/`` by ``manage.py load_instruments``. The definition is the
whole validated document; ``measures.scoring`` works on it."""

from __future__ import annotations

from django.conf import settings
from django.db import models


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


class MeasureLink(models.Model):
    """A secret link for the client to answer one or more instruments.

    Works once (the final submit uses it up) and expires after
    MEASURE_LINK_DAYS. Only a hash of the token is stored. Answers typed so far
    are kept in `draft`, so the client can leave and come back through the link.
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
    token_hash = models.CharField(max_length=64, unique=True)
    draft = models.JSONField(default=dict, blank=True)  # {code: {item: value}}
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Measure link #{self.pk}"


class Source(models.TextChoices):
    LINK = "link", "Answered by the client (secure link)"
    PAPER = "paper", "Entered from a paper form"


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

    def __str__(self) -> str:
        return f"{self.instrument.short_name} {self.total} ({self.answered_at:%Y-%m-%d})"


class SafetyAlert(models.Model):
    """A safety item answered above its threshold (PHQ-9 item 9 > 0).

    It must be acknowledged with a note of the action taken. Until then it shows
    on the staff dashboard, blocks the dosing readiness gate, and escalates to
    the admin after SAFETY_ALERT_ESCALATE_HOURS.
    """

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="safety_alerts"
    )
    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="alerts")
    item = models.PositiveSmallIntegerField()
    value = models.PositiveSmallIntegerField()
    raised_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action_note = models.TextField(blank=True, max_length=4000)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]

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
