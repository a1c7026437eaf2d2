"""`{{ user|partner_of }}`: the partner organisation a user works for, or None.

Select `…__partner_membership__partner` with the users so that a list of them
does not query once per row."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from partners import access
from partners.models import Partner

register = template.Library()


@register.filter
def partner_of(user: User | AnonymousUser) -> Partner | None:
    return access.partner_of(user)
