from django.apps import AppConfig


class DosingConfig(AppConfig):
    name = "dosing"
    verbose_name = "Dosing session records"

    def ready(self) -> None:
        from django.conf import settings

        from clients.panels import register_panel, register_timeline
        from dosing.settings_check import validate_settings

        validate_settings(settings)
        from dosing import panels
        from partners.portal_panels import register_portal_panel

        register_panel(panels.client_panel)
        register_timeline(panels.client_timeline)
        register_portal_panel(panels.portal_panel)
