from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "measures"
    verbose_name = "Outcome measures"

    def ready(self) -> None:
        from django.conf import settings

        from measures.settings_check import validate_settings

        # A cut-point or threshold outside its valid range stops start-up.
        validate_settings(settings)
