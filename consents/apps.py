from django.apps import AppConfig


class ConsentsConfig(AppConfig):
    name = "consents"

    def ready(self) -> None:
        from clients.panels import register_panel, register_timeline
        from consents.panels import consents_panel, consents_timeline

        register_panel(consents_panel)
        register_timeline(consents_timeline)
