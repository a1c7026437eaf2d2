from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "measures"
    verbose_name = "Outcome measures"

    def ready(self) -> None:
        # Each module registers its client-page panels, timeline entries and hooks.
        from measures import alert_panels, chart_panels, panels  # noqa: F401
