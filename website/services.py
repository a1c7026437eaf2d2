from __future__ import annotations

from website.default_services import DEFAULT_SERVICES
from website.models import Service


def services_install_defaults() -> int:
    """Create the default services that are missing; never overwrite staff edits."""
    created = 0
    for data in DEFAULT_SERVICES:
        fields = {k: v for k, v in data.items() if k != "slug"}
        _, was_created = Service.objects.get_or_create(slug=data["slug"], defaults=fields)
        created += int(was_created)
    return created
