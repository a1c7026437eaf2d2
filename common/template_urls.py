"""The `url` tag, writing a URL of record numbers without reversing it each time.

It replaces Django's tag (settings.TEMPLATES "builtins"), with the same syntax and
output: `{% url 'clients:detail' item.client_id %}` and `{% url 'x' as link %}` go
through `common.reversing.numbered_url`, which reverses each name once per process; a
keyword argument, or any URL it cannot vouch for, goes through Django's own node, which
answers or raises exactly as before. Why: a list page writes a link on each row, and
Django's tag costs 1,700 bytecodes a link (issue 14).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template import defaulttags
from django.template.base import Parser, Token
from django.template.context import Context
from django.utils.html import conditional_escape

from common.reversing import numbered_url

register = template.Library()


class NumberedURLNode(defaulttags.URLNode):
    def render(self, context: Context) -> str:
        if self.kwargs:
            return super().render(context)
        url = numbered_url(
            self.view_name.resolve(context),
            [arg.resolve(context) for arg in self.args],
            current_app(context),
        )
        if url is None:
            return super().render(context)
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


def current_app(context: Context) -> Any:
    """As Django's URLNode finds it."""
    request = getattr(context, "request", None)
    try:
        return request.current_app  # type: ignore[union-attr]
    except AttributeError:
        try:
            return request.resolver_match.namespace  # type: ignore[union-attr]
        except AttributeError:
            return None


@register.tag
def url(parser: Parser, token: Token) -> NumberedURLNode:
    node = defaulttags.url(parser, token)
    return NumberedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
