"""`{% staff_nav %}`: the staff area's navigation (pathways.staff_nav), in
templates/staff_base.html."""

from __future__ import annotations

from django import template
from django.template.context import Context
from django.utils.safestring import SafeString

from common.template_urls import current_app
from pathways.staff_nav import staff_nav as write_nav

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_nav(context: Context) -> SafeString:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    user = context.get("user")
    if user is None:
        return SafeString("\n\n")
    return write_nav(
        user=user,
        here=match.view_name if match is not None else None,
        counts=context.get("nav_counts"),
        csrf_token=context.get("csrf_token"),
        current_app=current_app(context),
    )
