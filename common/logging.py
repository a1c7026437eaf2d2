"""Keep secrets and searches out of the logs.

Django's access lines (django.server) and warnings (django.request: "Not Found:
/consent/<token>/") print the path and the query string. A secret link's token in
a path is the key to a client's consent form, measures or calendar; a search
(?q=Smith) is a client's name. RedactSecretsFilter rewrites each record's message
with them blanked, before any handler formats it. settings.LOGGING puts it on the
loggers Django uses and on the console handler.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

# The public secret-link routes: the segment after them is a token
# (consents.public_urls, measures.answering.urls, scheduling.feed_urls).
_LINK_ROUTES = r"consent|measures|calendar"
# A slash, raw or %-encoded (a path inside ?next=).
_SLASH = r"(?:/|%2[Ff])"
_TOKEN_ROUTE = re.compile(
    rf"({_SLASH}(?:{_LINK_ROUTES}){_SLASH})[A-Za-z0-9_-]{{16,}}(?=[/.?#&\s\"']|%2[Ff]|%3[Ff]|$)"
)
# Any other path segment that looks like a token (common.tokens.new_token makes 43
# characters): no slug of the site is this long.
_LONG_SEGMENT = re.compile(rf"({_SLASH})[A-Za-z0-9_-]{{32,}}(?=[/.?#&\s\"']|%2[Ff]|%3[Ff]|$)")
# Query parameters that carry a search, a name or a secret.
_SENSITIVE_PARAMS = r"q|query|search|name|first_name|last_name|email|phone|token"
_PARAM = re.compile(rf"([?&;](?:{_SENSITIVE_PARAMS})=)[^&;#\s\"']*")
# The same inside a %-encoded ?next= value: %3Fq%3DSmith%26page%3D2.
_ENCODED_PARAM = re.compile(
    rf"((?:%3[Ff]|%26)(?:{_SENSITIVE_PARAMS})%3[Dd])(?:(?!%26)[^&;#\s\"'])*"
)


def redact(text: str) -> str:
    """`text` with secret-link tokens and search values replaced by [redacted]."""
    text = _TOKEN_ROUTE.sub(rf"\1{REDACTED}", text)
    text = _LONG_SEGMENT.sub(rf"\1{REDACTED}", text)
    text = _ENCODED_PARAM.sub(rf"\1{REDACTED}", text)
    return _PARAM.sub(rf"\1{REDACTED}", text)


class RedactSecretsFilter(logging.Filter):
    """Rewrite a record's message with `redact`; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # a malformed record: leave it to the handler's own error path
        clean = redact(message)
        if clean != message:
            record.msg = clean
            record.args = ()
        return True
