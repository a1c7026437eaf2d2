from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def attr_value(obj: Any, name: str) -> Any:
    return getattr(obj, name, None)


@register.filter
def attr_is_set(obj: Any, name: str) -> bool:
    return getattr(obj, name, None) is not None
