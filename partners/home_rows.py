"""The rows of the portal home's "Referrals waiting for you", written from a format
string (common.rows) as portal/_home_waiting.html writes each (checked in
partners/tests/test_portal_home_rows.py)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString

from common.reversing import Reverser
from common.rows import day, rows
from common.template_badges import status_badge
from common.template_dates import date as date_filter
from partners.models import Referral, ReferralStatus

WAITING_ROW = "<li>{link}: sent {sent}{what}. {badge}\n</li>"
LINK = '<a href="{url}">{name}</a>'


def _what(referral: Referral) -> SafeString:
    """What the prescriber is to do next."""
    if referral.status == ReferralStatus.SCHEDULED:
        when = date_filter(referral.evaluation_at, "Y-m-d H:i T") or "date not set"
        return SafeString(f", evaluation {escape(when)}: record its result")
    if referral.status == ReferralStatus.INFO_PROVIDED:
        return SafeString(": the practice answered your question")
    return SafeString(": schedule the evaluation")


def link(url: str, name: str) -> SafeString:
    return SafeString(LINK.format(url=escape(url), name=escape(name)))


def waiting_rows(referrals: Iterable[Referral]) -> SafeString:
    url = Reverser()  # the URLconf read once for the section's links
    return rows(
        WAITING_ROW,
        (
            {
                "link": link(url("portal:referral", r.pk), r.client.full_name),
                "sent": day(r.sent_at),
                "what": _what(r),
                "badge": status_badge(r),
            }
            for r in referrals
        ),
    )
