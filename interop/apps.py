from django.apps import AppConfig


class InteropConfig(AppConfig):
    # Not "fhir": an app of that name would shadow the fhir.resources package.
    name = "interop"
    verbose_name = "Interoperability (FHIR R4)"
