from django.apps import AppConfig


class DosingConfig(AppConfig):
    name = "dosing"
    verbose_name = "Dosing session records"

    def ready(self) -> None:
        from django.conf import settings

        from dosing.settings_check import validate_settings

        # A dosing threshold outside its valid range stops start-up.
        validate_settings(settings)
