"""The project package's app: the staff dashboard, the demo practice, and what is set
up once every app is loaded."""

from __future__ import annotations

from pathlib import Path

from django.apps import AppConfig, apps
from django.conf import settings
from django.db.models import Model


class PathwaysConfig(AppConfig):
    name = "pathways"

    def ready(self) -> None:
        from common.loading import install

        # Rows of our own models become instances without Model.__init__ (issue 14).
        install(project_models())


def project_models() -> list[type[Model]]:
    """The models of the apps that live in this repository (not Django's, nor a
    package's)."""
    root = Path(settings.BASE_DIR).resolve()
    return [
        model
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(root)
        and ".venv" not in Path(config.path).parts
        for model in config.get_models()
    ]
