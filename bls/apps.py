from django.apps import AppConfig


class BlsConfig(AppConfig):
    name = "bls"
    verbose_name = "EMDR and bilateral stimulation"

    def ready(self) -> None:
        from django.conf import settings

        from bls.settings_check import validate_settings

        # A pairing code that works too long (or too briefly to be typed) stops start-up.
        validate_settings(settings)
