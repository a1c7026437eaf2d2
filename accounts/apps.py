from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Staff accounts"

    def ready(self) -> None:
        from django.conf import settings

        from accounts import signals  # noqa: F401  (connects the audit receivers)
        from accounts.settings_check import validate_settings

        # A session or re-authentication limit outside its range stops start-up.
        validate_settings(settings)
