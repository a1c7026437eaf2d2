"""Who hears of a referral step, and the e-mail they get.

Each step notifies the other side. The e-mail names the practice and carries a
link to sign in: no client name, no reason, no result. The recipient signs in
to read the referral.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from accounts.models import Role, User
from common.links import site_url
from notifications.services import email_queue
from partners.models import Partner, Referral

NEW_TEMPLATE = "notifications/email/referral_new"
UPDATE_TEMPLATE = "notifications/email/referral_update"


def partner_recipients(partner: Partner) -> list[str]:
    """The partner's active prescribers with an address, plus its own mailbox."""
    prescribers = User.objects.filter(
        role=Role.PRESCRIBER, is_active=True, partner_membership__partner=partner
    ).exclude(email="")
    addresses = set(prescribers.values_list("email", flat=True))
    if partner.email:
        addresses.add(partner.email)
    return sorted(addresses)


def practice_recipients(referral: Referral) -> list[str]:
    """The therapist who referred and the client's assigned therapist, if active."""
    people = [referral.referred_by, referral.client.assigned_therapist]
    return sorted({p.email for p in people if p is not None and p.is_active and p.email})


def _send(addresses: list[str], template: str, url: str) -> None:
    context = {"practice": settings.PRACTICE_NAME, "link": site_url(url)}
    for address in addresses:
        email_queue(to=address, template=template, context=context)


def notify_partner(referral: Referral, *, new: bool = False) -> None:
    url = reverse("portal:referral", args=[referral.pk])
    _send(partner_recipients(referral.partner), NEW_TEMPLATE if new else UPDATE_TEMPLATE, url)


def notify_practice(referral: Referral) -> None:
    url = reverse("partners:referral", args=[referral.pk])
    _send(practice_recipients(referral), UPDATE_TEMPLATE, url)
