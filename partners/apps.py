from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Medication-management partners"

    def ready(self) -> None:
        from clients.panels import register_panel, register_timeline
        from partners.panels import referral_timeline, referrals_panel

        register_panel(referrals_panel)
        register_timeline(referral_timeline)
