from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac


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
        name = self.get_full_name() or self.username
        return f"{name}, {self.credentials}" if self.credentials else name

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
