"""Fixed policies that settings.py reads: the Content-Security-Policy and the logging
configuration. They take no environment value but the log level; settings.py stays the
one place that reads the environment."""

from __future__ import annotations

from typing import Any

# Every page's Content-Security-Policy (django-csp): nothing from another origin, no
# inline script or style, no framing. The SVG charts send a stricter one of their own.
CONTENT_SECURITY: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        # 'self' covers the page's own ws:/wss: origin too (CSP Level 3, which Chromium,
        # Firefox and Safari follow): the BLS display and the record's control panel open
        # a WebSocket to /ws/bls/… and nowhere else.
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}


def logging_config(*, level: str) -> dict[str, Any]:
    """Logs carry no PHI: our code logs ids only, and Django's request logger is kept
    at WARNING so that it never prints request bodies. Django's access and warning
    lines name the path and the query string: common.logging.RedactSecretsFilter
    blanks secret-link tokens and searches (?q=) in them, on the loggers Django uses
    (so that a test's capture sees it too) and on the handler. README.md, "Logging
    policy", gives gunicorn's access-log format."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact_secrets": {"()": "common.logging.RedactSecretsFilter"}},
        "formatters": {
            "server": {
                "()": "django.utils.log.ServerFormatter",
                "format": "[{server_time}] {message}",
                "style": "{",
            }
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]},
            "django.server": {
                "class": "logging.StreamHandler",
                "formatter": "server",
                "filters": ["redact_secrets"],
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.request": {"level": "WARNING", "filters": ["redact_secrets"]},
            "django.security": {"filters": ["redact_secrets"]},
            # WeasyPrint (the consent's PDF copy) reports each layout step at INFO.
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
            "django.server": {
                "handlers": ["django.server"],
                "level": "INFO",
                "propagate": False,
                "filters": ["redact_secrets"],
            },
        },
    }
