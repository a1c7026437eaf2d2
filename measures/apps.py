from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "measures"
    verbose_name = "Outcome measures"

    def ready(self) -> None:
        from django.conf import settings

        # Each module registers its client-page panels, timeline entries and hooks.
        from measures import alert_panels, chart_panels, panels  # noqa: F401
        from measures.settings_check import validate_settings

        # A cut-point or threshold outside its valid range stops start-up.
        validate_settings(settings)
