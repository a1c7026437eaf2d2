"""Who asks for what: the objects a real user would open, and their sessions.

Runs in the bench's own process, with Django set up on the run's database and the
server's settings (the same SECRET_KEY and encryption key), before the load.

- The busiest clinician: the therapist with the most appointments this week. Theirs
  are the Today view, the calendar week, the client chart (their KAP client with
  dosing sessions and the most scores), its measure charts and PHQ-9 picture, the
  dosing record with the most vitals, the EMDR record with the most sets and its
  timeline, and the FHIR export of that client.
- The front desk ("intake", who sees every client): the inbox, the client list, and
  a search for the chart's client by first and last name.
- The admin (owner): the outcomes report and the audit report, whole and for one client.
- The prescriber with the most referrals shared with their organisation: the portal's
  home and the referral with the most dosing sessions.

Sign-in asks for a second factor (django-otp), which a script cannot type. So each
bench user gets a confirmed authenticator (`accounts.services.otp_device_confirm`,
audited, as the set-up page does), and the bench writes the sessions directly, as a
sign-in leaves them: the user, the device that verified it (django-otp's
`otp_device_id`), and the sign-in and re-authentication times (the FHIR export needs
one within REAUTH_MINUTES). Every check of the app runs as it does for anyone.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import asdict, dataclass
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import Count, Q
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.actor import Actor
from accounts.models import Authenticator, Role, User
from accounts.reauth import PASSWORD_AT, SECOND_FACTOR_AT
from accounts.services import otp_device_confirm
from accounts.signals import SIGNED_IN_AT
from bench.results import AUDIT, FLOOR, OUTCOMES, PARTNER, PICTURE, PUBLIC, REFERENCE, STAFF
from bls.models import EmdrRecord
from clients.models import Client
from clients.queries import clients_visible_to
from dosing.models import DosingRecord
from measures.models import Response
from partners.access import shared
from partners.models import PartnerMembership, Referral
from scheduling.models import Appointment, AppointmentStatus
from treatment.models import Modality
from website.models import Service

FLOOR_NAME = "floor"
SIGNED_IN_FLOOR_NAME = "floor, signed in"
BACKEND = "accounts.backends.ModelBackend"
# The form's GET in the POST's run: reported for comparison, judged by no bar.
FORM_BETWEEN_POSTS = "appointment request form (between the POSTs)"


@dataclass(frozen=True)
class Step:
    """One endpoint of the plan. `flow`: "get", "request" (the public form: GET it for
    its tokens, then POST it) or "post" (a POST with the CSRF token of `csrf_from`)."""

    name: str
    kind: str
    method: str
    path: str
    user: str  # username, "" for anonymous
    expect: int
    flow: str = "get"
    csrf_from: str = ""
    form_name: str = ""  # "request": the name of the form's GET row (a public page)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def busiest_clinician(today: dt.date) -> User:
    monday = today - dt.timedelta(days=today.weekday())
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time.min))
    week = Appointment.objects.filter(
        starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=7)
    ).exclude(status=AppointmentStatus.CANCELLED)
    row = (
        week.filter(clinician__role=Role.THERAPIST, clinician__is_active=True)
        .values("clinician")
        .annotate(n=Count("id"))
        .order_by("-n", "clinician")
        .first()
    )
    if row is None:
        return User.objects.filter(role=Role.THERAPIST, is_active=True).order_by("pk")[0]
    return User.objects.get(pk=row["clinician"])


def chart_client(clinician: User) -> Client:
    """Their KAP client with dosing sessions and the most scores."""
    kap = clients_visible_to(clinician).filter(
        courses__modality=Modality.KAP, courses__sessions__dosing_record__isnull=False
    )
    row = (
        Response.objects.filter(client__in=kap.values("pk"))
        .values("client")
        .annotate(n=Count("id"))
        .order_by("-n", "client")
        .first()
    )
    if row is not None:
        return Client.objects.get(pk=row["client"])
    return clients_visible_to(clinician).order_by("pk")[0]


def dosing_record(client: Client) -> DosingRecord | None:
    return (
        DosingRecord.objects.filter(session__course__client=client)
        .annotate(n=Count("vitals"))
        .order_by("-n", "-pk")
        .first()
    )


def emdr_record(clinician: User) -> EmdrRecord | None:
    theirs = Q(session__course__client__assigned_therapist=clinician) | Q(
        appointment__client__assigned_therapist=clinician
    )
    return (
        EmdrRecord.objects.filter(theirs).annotate(n=Count("sets")).order_by("-n", "-pk").first()
    )


def prescriber_and_referral() -> tuple[User, Referral] | None:
    best: tuple[int, User, Referral] | None = None
    for membership in PartnerMembership.objects.select_related("user").order_by("pk"):
        referrals = shared(Referral.objects.filter(partner_id=membership.partner_id))
        count = referrals.count()
        if not count or (best is not None and count <= best[0]):
            continue
        referral = (
            referrals.annotate(n=Count("client__courses__sessions__dosing_record"))
            .order_by("-n", "-pk")
            .first()
        )
        if referral is not None:
            best = (count, membership.user, referral)
    return None if best is None else (best[1], best[2])


def steps() -> list[Step]:
    """Every endpoint of issue 14 §2, with the floor first."""
    today = timezone.localdate()
    clinician = busiest_clinician(today)
    client = chart_client(clinician)
    admin = User.objects.get(username="admin")
    intake = User.objects.get(username="intake")
    service = Service.objects.filter(published=True).order_by("pk").first()
    c, them = client.pk, clinician.username
    found = [
        Step(FLOOR_NAME, FLOOR, "GET", "/bench/floor/", "", 200),
        Step(SIGNED_IN_FLOOR_NAME, REFERENCE, "GET", "/bench/floor/", them, 200),
        Step("home", PUBLIC, "GET", "/", "", 200),
    ]
    if service is not None:
        found.append(Step("service page", PUBLIC, "GET", f"/services/{service.slug}/", "", 200))
    found += [
        # The form alone, as the home and service pages are measured; then the POST, each
        # user GETting the form for its tokens before every POST (that GET, queued behind
        # the POSTs, is reported beside it with no bar).
        Step("appointment request form", PUBLIC, "GET", "/request-an-appointment/", "", 200),
        Step(
            "appointment request (POST)", PUBLIC, "POST", "/request-an-appointment/", "", 302,
            flow="request", form_name=FORM_BETWEEN_POSTS,
        ),
        Step("Today (dashboard)", STAFF, "GET", "/staff/", them, 200),
        Step("inbox", STAFF, "GET", "/staff/requests/", intake.username, 200),
        Step("client list", STAFF, "GET", "/staff/clients/", intake.username, 200),
        Step(
            "client search", STAFF, "GET",
            f"/staff/clients/?q={client.first_name}+{client.last_name}", intake.username, 200,
        ),
        Step("client chart", STAFF, "GET", f"/staff/clients/{c}/", them, 200),
        Step("measure charts", STAFF, "GET", f"/staff/measures/outcomes/client/{c}/", them, 200),
        Step(
            "PHQ-9 chart picture", PICTURE, "GET",
            f"/staff/measures/outcomes/client/{c}/phq9.svg", them, 200,
        ),
        Step("calendar week", STAFF, "GET", "/staff/schedule/?view=week", them, 200),
    ]  # fmt: skip
    record = dosing_record(client)
    if record is not None:
        found.append(Step("dosing record", STAFF, "GET", f"/staff/dosing/{record.pk}/", them, 200))
    emdr = emdr_record(clinician)
    if emdr is not None:
        found += [
            Step("EMDR record", STAFF, "GET", f"/staff/emdr/{emdr.pk}/", them, 200),
            Step(
                "EMDR timeline picture", PICTURE, "GET",
                f"/staff/emdr/{emdr.pk}/timeline.svg", them, 200,
            ),
        ]  # fmt: skip
    found += [
        Step("outcomes report", OUTCOMES, "GET", "/staff/measures/outcomes/", admin.username, 200),
        Step("audit report", AUDIT, "GET", "/staff/audit/", admin.username, 200),
        Step(
            "audit report, one client", AUDIT, "GET",
            f"/staff/audit/?client={client.first_name}+{client.last_name}", admin.username, 200,
        ),
    ]  # fmt: skip
    portal = prescriber_and_referral()
    if portal is not None:
        prescriber, referral = portal
        found += [
            Step("partner portal home", PARTNER, "GET", "/partner/", prescriber.username, 200),
            Step(
                "partner referral", PARTNER, "GET", f"/partner/referrals/{referral.pk}/",
                prescriber.username, 200,
            ),
        ]  # fmt: skip
    found.append(
        Step(
            "FHIR export", STAFF, "POST", f"/staff/fhir/clients/{c}/export/", them, 200,
            flow="post", csrf_from=f"/staff/clients/{c}/",
        )
    )  # fmt: skip
    return found


def enrol(username: str) -> Authenticator:
    """The user's confirmed authenticator, set up as the set-up page would."""
    user = User.objects.get(username=username)
    device = Authenticator.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = Authenticator.objects.create(user=user, name="Bench authenticator")
        otp_device_confirm(actor=Actor.for_user(user), device=device)
    return device


def sessions(username: str, count: int) -> list[str]:
    """`count` signed-in sessions of the user, second factor verified, just
    re-authenticated: the session keys (the `sessionid` cookie)."""
    device = enrol(username)
    user = device.user
    now = time.time()
    keys = []
    for _ in range(count):
        store = SessionStore()
        store[SESSION_KEY] = user._meta.pk.value_to_string(user)
        store[BACKEND_SESSION_KEY] = BACKEND
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
        store[SIGNED_IN_AT] = store[PASSWORD_AT] = store[SECOND_FACTOR_AT] = now
        store.create()
        assert store.session_key is not None  # noqa: S101  (create() sets it)
        keys.append(store.session_key)
    return keys


def chosen(steps: list[Step], only: tuple[str, ...]) -> tuple[list[Step], set[str]]:
    """The steps BENCH_ONLY names (comma-separated, so a name with a comma in it, such
    as "audit report, one client", comes as its parts), with both floors always; and
    the parts that name no step."""
    if not only:
        return steps, set()
    wanted = set(only)
    picked = [
        s
        for s in steps
        if s.name in (FLOOR_NAME, SIGNED_IN_FLOOR_NAME)
        or {part.strip() for part in s.name.split(",")} <= wanted
    ]
    used = {part.strip() for s in picked for part in s.name.split(",")}
    return picked, wanted - used
