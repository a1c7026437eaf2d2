from django.apps import AppConfig


class PrescriptionsConfig(AppConfig):
    name = "prescriptions"

    def ready(self) -> None:
        from clients.panels import register_panel, register_timeline
        from prescriptions import panels

        register_panel(panels.client_panel)
        register_timeline(panels.client_timeline)
        try:
            # The portal referral page (partners) is built alongside; until its
            # registry exists there is nothing to register with.
            from partners.portal_panels import register_portal_panel
        except ImportError:
            pass
        else:
            register_portal_panel(panels.portal_panel)
