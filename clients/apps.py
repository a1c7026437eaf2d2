from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "clients"

    def ready(self) -> None:
        from clients import timeline  # noqa: F401  (registers the record's own entries)
