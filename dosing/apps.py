from django.apps import AppConfig


class DosingConfig(AppConfig):
    name = "dosing"
    verbose_name = "Dosing session records"

    def ready(self) -> None:
        from clients.panels import register_panel, register_timeline
        from dosing import panels
        from partners.portal_panels import register_portal_panel

        register_panel(panels.client_panel)
        register_timeline(panels.client_timeline)
        register_portal_panel(panels.portal_panel)
