"""Who may see which referral, and which partner organisation a user works for.

A prescriber sees only referrals to their own organisation, only while the
client's release of information to that organisation is in force (checked in the
queryset, on every request), and only what the referral shares (never the client
record). When the release is no longer in force, a referral of their organisation
answers "access ended" (AccessEnded: 403, no PHI, audited), anything else 404.
Practice staff see the referrals of the clients they may see.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Case, CharField, Count, Model, OuterRef, Q, QuerySet, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.functional import SimpleLazyObject

from accounts.access import AuthedRequest, View
from accounts.actor import actor_from
from accounts.models import User
from audit.services import log_action
from clients.access import clients_for_user
from clients.models import Client
from common.prepared import Prepared, first_query
from consents.queries import release_in_force_id
from partners.models import Partner, PartnerMembership, Referral, ReferralStatus

# The annotation every prescriber queryset carries: the id of the release in force.
RELEASE_ID = "release_in_force_id"
ACCESS_ENDED_TEMPLATE = "partners/portal_access_ended.html"
ACCESS_ENDED_MESSAGE = (
    "Access to this referral ended: the client's release of information is no longer in force."
)

M = TypeVar("M", bound=Model)


class AccessEnded(PermissionDenied):
    """The object belongs to a referral of the prescriber's organisation, but the
    client's release of information to it is no longer in force. A PermissionDenied,
    so that a view without `portal_page` still answers 403 with nothing in it."""

    def __init__(self, referral_id: int) -> None:
        super().__init__(ACCESS_ENDED_MESSAGE)
        self.referral_id = referral_id


def _membership(user: User | AnonymousUser) -> PartnerMembership | None:
    # The reverse one-to-one is cached on the user object, found or not, so a
    # request that asks several times queries once (request.user is one object).
    if not user.is_authenticated:
        return None
    related = User.partner_membership.related
    if not related.is_cached(user):
        # Read as the descriptor reads it, with the organisation, by a query compiled
        # once (common.prepared): the two reads through the ORM were 4% of the portal
        # home's work (`make bench-work`). Cached as the descriptor caches it.
        found = _membership_of(user=user.pk)
        membership = found[0] if found else None
        if membership is not None:
            # The user itself, not request.user's lazy wrapper, as the descriptor sets it.
            real = user._wrapped if isinstance(user, SimpleLazyObject) else user
            PartnerMembership.user.field.set_cached_value(membership, real)
        related.set_cached_value(user, membership)
    try:
        cached: PartnerMembership = user.partner_membership
    except PartnerMembership.DoesNotExist:
        return None
    return cached


@Prepared
def _membership_of(*, user: int) -> QuerySet[PartnerMembership]:
    return first_query(PartnerMembership.objects.filter(user_id=user).select_related("partner"))


def partner_id_of(user: User | AnonymousUser) -> int | None:
    """The id of the partner organisation the user works for, or None."""
    membership = _membership(user)
    return membership.partner_id if membership is not None else None


def partner_of(user: User | AnonymousUser) -> Partner | None:
    """The partner organisation the user works for, or None."""
    membership = _membership(user)
    return membership.partner if membership is not None else None


def with_release(qs: QuerySet[M], referral_path: str = "") -> QuerySet[M]:
    """`qs` annotated with the id of the client's release in force to the partner of
    the referral at `referral_path` ("" for a Referral queryset, "referral__" for
    prescriptions, …): NULL when there is none."""
    release = release_in_force_id(
        OuterRef(f"{referral_path}client_id"), OuterRef(f"{referral_path}partner_id")
    )
    annotated: QuerySet[M] = qs.annotate(**{RELEASE_ID: release})
    return annotated


def shared(qs: QuerySet[M], referral_path: str = "") -> QuerySet[M]:
    """Only the rows whose client's release to the referral's partner is in force now."""
    return with_release(qs, referral_path).filter(**{f"{RELEASE_ID}__isnull": False})


def not_shared(qs: QuerySet[M], referral_path: str = "") -> QuerySet[M]:
    """Only the rows whose client's release to the referral's partner is not in force."""
    return with_release(qs, referral_path).filter(**{f"{RELEASE_ID}__isnull": True})


def release_id_of(obj: Model) -> int:
    """The id of the release in force that a row of a `shared` queryset was read under."""
    release_id = getattr(obj, RELEASE_ID, None)
    if release_id is None:
        raise ValueError(f"{obj!r} was not read through partners.access.shared")
    return int(release_id)


def _organisation_referrals(request: AuthedRequest) -> QuerySet[Referral]:
    partner_id = partner_id_of(request.user)
    if partner_id is None:
        return Referral.objects.none()
    return Referral.objects.filter(partner_id=partner_id)


def referrals_for_prescriber(request: AuthedRequest) -> QuerySet[Referral]:
    """The referrals to the prescriber's organisation whose release is in force now."""
    return shared(_organisation_referrals(request)).select_related("client", "partner")


def referrals_ended_for_prescriber(request: AuthedRequest) -> QuerySet[Referral]:
    """The referrals to the prescriber's organisation no longer shared (read ids and
    counts only: nothing of them may be shown)."""
    return not_shared(_organisation_referrals(request))


@dataclass(frozen=True)
class PortalCounts:
    """How many referrals of the prescriber's organisation are shared (open, closed)
    and how many are no longer shared (counted, never shown)."""

    open: int
    closed: int
    ended: int


def referral_counts_for_prescriber(request: AuthedRequest) -> PortalCounts:
    """The portal home's counts, each as `referrals_for_prescriber` and
    `referrals_ended_for_prescriber` would count it, in one pass over the organisation's
    referrals. Why one: each count evaluates the release in force for every referral
    (three index look-ups each), and the home asked twice, the list's count and the
    ended one: 13-14 ms of SQL at 10,000 clients, 5.7 ms in one pass (issue 14)."""
    partner_id = partner_id_of(request.user)
    found = dict(_counts_of_partner(partner=partner_id)) if partner_id is not None else {}
    return PortalCounts(
        open=found.get("open", 0), closed=found.get("closed", 0), ended=found.get("ended", 0)
    )


@Prepared
def _counts_of_partner(*, partner: int) -> QuerySet[Referral, tuple[str, int]]:
    # Each referral falls in one bucket, grouped on: PostgreSQL evaluated the release's
    # subquery once for each of three FILTERed counts (14.7 ms at 10,000 clients), and
    # once for the bucket (3.7 ms). Compiled once (common.prepared): building this
    # query was a tenth of the portal home's work (`make bench-work`).
    bucket = Case(
        When(Q(**{f"{RELEASE_ID}__isnull": True}), then=Value("ended")),
        When(status=ReferralStatus.CLOSED, then=Value("closed")),
        default=Value("open"),
        output_field=CharField(),
    )
    return (
        with_release(Referral.objects.filter(partner_id=partner))
        .order_by()
        .values(bucket=bucket)
        .annotate(n=Count("pk"))
        .values_list("bucket", "n")
    )


def access_ended(request: AuthedRequest, referral_id: int, client_id: int) -> AccessEnded:
    """Audit a refused portal request on a referral whose release ended, and return
    the exception to raise."""
    log_action(
        actor_from(request),
        "referral.access_ended",
        # log_action stores the label and the ids only: bare instances carry them.
        Referral(pk=referral_id),
        client=Client(pk=client_id),
        detail={"referral": referral_id, "path": request.path, "method": request.method},
    )
    return AccessEnded(referral_id)


def get_shared_or_ended(
    request: AuthedRequest, qs: QuerySet[M], pk: int, referral_path: str = ""
) -> M:
    """The row `pk` of `qs` (a prescriber's queryset, scoped to their organisation),
    read with its release in force (partners.access.release_id_of).

    A row whose client's release to the partner is no longer in force raises
    AccessEnded (audited); anything else answers 404."""
    found = shared(qs, referral_path).filter(pk=pk).first()
    if found is not None:
        return found
    raise _ended_or_missing(request, qs, pk, referral_path)


def _ended_or_missing(
    request: AuthedRequest, qs: QuerySet[M], pk: int, referral_path: str = ""
) -> Exception:
    """Why row `pk` of `qs` was not found shared: AccessEnded (audited) when its
    release is no longer in force, Http404 when it is not there at all."""
    ended = (
        not_shared(qs, referral_path)
        .filter(pk=pk)
        .values_list(f"{referral_path}pk", f"{referral_path}client_id")
        .first()
    )
    if ended is None:
        return Http404("Not found")
    return access_ended(request, ended[0], ended[1])


def get_referral_for_prescriber(request: AuthedRequest, pk: int) -> Referral:
    """A referral to the prescriber's organisation whose release is in force now;
    AccessEnded when it is not, 404 for anything else."""
    partner_id = partner_id_of(request.user)
    if partner_id is None:
        raise Http404("Not found")
    # Compiled once (common.prepared; issue 14): the release is still read in the
    # query, at the moment of the request, as get_shared_or_ended reads it.
    found = _shared_referral(pk=pk, partner=partner_id)
    if found:
        return found[0]
    raise _ended_or_missing(request, _organisation_referrals(request), pk)


@Prepared
def _shared_referral(*, pk: int, partner: int) -> QuerySet[Referral]:
    # `shared(qs).filter(pk=pk).first()` of get_shared_or_ended, for the organisation's
    # referrals (partners/tests/test_release_governs.py compares the two).
    qs = Referral.objects.filter(partner_id=partner).select_related("client", "partner")
    return first_query(shared(qs).filter(pk=pk))


def portal_page(view: View) -> View:
    """A portal view whose referral's release may have ended: say only that access
    ended (403), with no name and nothing of the referral. The refusal was audited
    where it was found."""

    @functools.wraps(view)
    def wrapped(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except AccessEnded:
            return render(
                request, ACCESS_ENDED_TEMPLATE, {"message": ACCESS_ENDED_MESSAGE}, status=403
            )

    return wrapped


def referrals_for_staff(request: AuthedRequest) -> QuerySet[Referral]:
    return Referral.objects.filter(client__in=clients_for_user(request)).select_related(
        "client", "partner", "referred_by"
    )


def get_referral_for_staff(request: AuthedRequest, pk: int) -> Referral:
    return get_object_or_404(referrals_for_staff(request), pk=pk)
