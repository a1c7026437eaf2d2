from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP

from common.fields import EncryptedCharField


class Role(models.TextChoices):
    ADMIN = "admin", "Practice admin"
    INTAKE = "intake", "Intake coordinator"
    THERAPIST = "therapist", "Therapist"
    PRESCRIBER = "prescriber", "Medication-partner prescriber"


class User(AbstractUser):
    """A staff or partner account. The role decides what the server lets it see.

    A user with no role can sign in to nothing: every staff view checks the role.
    """

    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    credentials = models.CharField(
        max_length=60, blank=True, help_text="Shown after the name, e.g. LPC, EMDR-certified."
    )
    # The clinician on call is told of safety alerts as well as the client's therapist.
    on_call = models.BooleanField(
        default=False, help_text="Receives safety alerts for every client (e.g. PHQ-9 item 9)."
    )
    # Only a clinician may acknowledge a safety alert (measures.alerts.queries.can_acknowledge).
    # Therapists are clinicians by role; an admin is one only when this is set (a
    # practice owner who also sees clients). Intake coordinators never are.
    is_clinician = models.BooleanField(
        "clinician",
        default=False,
        help_text="For admins: a licensed clinician, who may acknowledge safety alerts.",
    )
    # The partner organisation a prescriber works for is partners.PartnerMembership:
    # accounts sits below partners and does not know of them.
    # "Sign out everywhere": every session begun before this moment ends
    # (it is part of the session's auth hash, below).
    sessions_revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return User.display_name_of(
            self.username, self.first_name, self.last_name, self.credentials
        )

    @staticmethod
    def display_name_of(username: str, first_name: str, last_name: str, credentials: str) -> str:
        """display_name from DISPLAY_NAME_FIELDS' values, in their order (a long select
        reads them as values, without making a User: scheduling.forms.LabelsOnly)."""
        # As get_full_name: the first and last name, and no space at either end.
        name = f"{first_name} {last_name}".strip() or username
        return f"{name}, {credentials}" if credentials else name

    # The fields display_name reads: a list that shows it and reads only what it shows
    # (.only(), issue 14) names these, through User.display_name_fields(path).
    DISPLAY_NAME_FIELDS = ("username", "first_name", "last_name", "credentials")

    @classmethod
    def display_name_fields(cls, path: str) -> tuple[str, ...]:
        """DISPLAY_NAME_FIELDS of the user at `path` ("author__", …)."""
        return tuple(f"{path}{f}" for f in cls.DISPLAY_NAME_FIELDS)

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles

    # --- What keeps a session valid ---------------------------------------------
    # Django stores this hash in the session at sign-in and compares it on every
    # request (django.contrib.auth.get_user): a mismatch flushes the session. Beside
    # the password (Django's own rule), it covers the role and the admin flags, so
    # that a change of privilege ends the user's sessions on their next request, and
    # sessions_revoked_at, so that "sign out everywhere" ends them all.

    def _session_material(self) -> str:
        revoked = self.sessions_revoked_at.isoformat() if self.sessions_revoked_at else ""
        flags = f"{int(self.is_staff)}{int(self.is_superuser)}"
        return "|".join((self.password, self.role, flags, revoked))

    def _session_hash(self, secret: str | bytes | None) -> str:
        salt = "accounts.User.get_session_auth_hash"
        material = self._session_material()
        return salted_hmac(salt, material, secret=secret, algorithm="sha256").hexdigest()

    def get_session_auth_hash(self) -> str:
        return self._session_hash(None)

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(fallback_secret)


# --- Authenticators (two-factor sign-in) -------------------------------------------
# The project's own TOTP device, in place of django-otp's otp_totp.TOTPDevice, which
# keeps its secret in clear in a varchar(80) column: a Fernet token of the 40-hex-digit
# key is 140 characters, so that column cannot hold it encrypted, and its code reads
# `key` as hex everywhere. Here the secret is an EncryptedCharField (common.fields):
# FIELD_ENCRYPTION_KEYS seals it, rotate_field_key re-seals it, the start-up check
# covers it. Everything else is django-otp's: Device (user, name, confirmed, the
# manager that devices_for_user, match_token and OTPMiddleware use), throttling,
# timestamps and the RFC 6238 arithmetic (django_otp.oath.TOTP). accounts/migrations/
# 0007_authenticator moved the otp_totp devices here, secrets encrypted.


def new_totp_key() -> str:
    """A new secret: 20 random bytes, hex (RFC 4226 §4 asks for 160 bits)."""
    return secrets.token_hex(20)


class Authenticator(TimestampMixin, ThrottlingMixin, Device):  # type: ignore[misc]  # django-otp is untyped
    """An authenticator app (TOTP, RFC 6238): the fields of django-otp's TOTPDevice,
    the secret encrypted at rest. `key` is never shown but to its owner, on the
    set-up page (accounts.otp.secret_for_display) behind a fresh re-authentication."""

    key = EncryptedCharField(
        max_length=80, default=new_totp_key, editable=False, help_text="Hex; never shown."
    )
    step = models.PositiveSmallIntegerField(default=30, help_text="The time step in seconds.")
    t0 = models.BigIntegerField(default=0, help_text="The Unix time at which steps begin.")
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(
        default=1, help_text="Time steps before or after now that a code may be from."
    )
    drift = models.SmallIntegerField(
        default=0, help_text="Time steps the authenticator's clock is known to be off."
    )
    last_t = models.BigIntegerField(
        default=-1, help_text="The time step of the last code accepted: never accepted again."
    )

    if TYPE_CHECKING:
        # django-otp is untyped: Device.objects (a DeviceManager) and Device.user, typed.
        objects: ClassVar[models.Manager[Authenticator]]
        _default_manager: ClassVar[models.Manager[Authenticator]]
        user: models.ForeignKey[User, User]

    class Meta(Device.Meta):  # type: ignore[misc]  # django-otp is untyped
        verbose_name = "authenticator"

    @property
    def bin_key(self) -> bytes:
        return bytes.fromhex(self.key)

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1))

    def verify_token(self, token: object) -> bool:
        """TOTPDevice.verify_token: a code within `tolerance` steps, newer than the last
        one accepted, with exponential back-off after failures. The saves name their
        fields, so that verifying a code does not rewrite the secret."""
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            code = int(str(token))
        except ValueError:
            code = None
        totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
        totp.time = time.time()
        if code is not None and totp.verify(code, self.tolerance, self.last_t + 1):
            self.last_t = totp.t()
            if getattr(settings, "OTP_TOTP_SYNC", True):
                self.drift = totp.drift
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save(update_fields=[*_THROTTLE_FIELDS, "last_t", "drift", "last_used_at"])
            return True
        self.throttle_increment(commit=False)
        self.save(update_fields=_THROTTLE_FIELDS)
        return False

    @property
    def config_url(self) -> str:
        """The otpauth:// URI an authenticator app scans (Google's Key Uri Format)."""
        issuer = str(getattr(settings, "OTP_TOTP_ISSUER", "")).replace(":", "")
        label = str(self.user.get_username())
        params = {
            "secret": base64.b32encode(self.bin_key).decode(),
            "algorithm": "SHA1",
            "digits": self.digits,
            "period": self.step,
        }
        query = urlencode(params)
        if issuer:
            label = f"{issuer}:{label}"
            query += f"&issuer={quote(issuer)}"
        return f"otpauth://totp/{quote(label)}?{query}"


_THROTTLE_FIELDS = ["throttling_failure_timestamp", "throttling_failure_count"]
