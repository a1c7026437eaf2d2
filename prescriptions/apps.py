from django.apps import AppConfig


class PrescriptionsConfig(AppConfig):
    name = "prescriptions"

    def ready(self) -> None:
        from clients.panels import register_panel, register_timeline
        from partners.portal_panels import register_portal_panel
        from prescriptions import panels

        register_panel(panels.client_panel)
        register_timeline(panels.client_timeline)
        register_portal_panel(panels.portal_panel)
