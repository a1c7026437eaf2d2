from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "clients"

    def ready(self) -> None:
        from django.conf import settings

        from clients.settings_check import validate_settings

        # An emergency-access window outside its range stops start-up.
        validate_settings(settings)
