from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_name_index(sender: AppConfig, using: str, **kwargs: Any) -> None:
    """After every migrate, the client search's name index on SQLite (clients.name_index:
    a migration that alters the client table drops its triggers)."""
    from django.db import connections

    from clients import name_index

    name_index.ensure(connections[using])


class ClientsConfig(AppConfig):
    name = "clients"

    def ready(self) -> None:
        from django.conf import settings

        from clients.settings_check import validate_settings

        # An emergency-access window outside its range stops start-up.
        validate_settings(settings)
        # Once, after the clients app's own post-migrate (each app sends one).
        post_migrate.connect(_ensure_name_index, sender=self, dispatch_uid="clients.name_index")
