from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        from django.core import checks

        from common.crypto import check_stored_values

        # The outbox is the first user of encryption at rest; the check covers every
        # encrypted column of every app (common.fields), with the database tag.
        checks.register(check_stored_values, checks.Tags.database)
