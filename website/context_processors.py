from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def practice(request: HttpRequest) -> dict[str, Any]:
    return {
        "practice": {
            "name": settings.PRACTICE_NAME,
            "address": settings.PRACTICE_ADDRESS,
            "phone": settings.PRACTICE_PHONE,
            "email": settings.PRACTICE_EMAIL,
        }
    }
