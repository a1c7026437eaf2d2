from django.apps import AppConfig


class TreatmentConfig(AppConfig):
    name = "treatment"
    verbose_name = "Treatment courses"

    def ready(self) -> None:
        from treatment import panels  # noqa: F401  (registers the client-page section)
