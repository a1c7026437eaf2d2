from django.apps import AppConfig


class InteropConfig(AppConfig):
    # Not "fhir": an app of that name would shadow the fhir.resources package.
    name = "interop"
    verbose_name = "Interoperability (FHIR R4)"

    def ready(self) -> None:
        from django.conf import settings

        from common.bounds import check_bounds
        from interop.tokens import DAYS

        # A token lifetime outside 1–365 days stops start-up, not the first issue.
        check_bounds(settings, {"FHIR_TOKEN_DAYS": DAYS})
