from django.apps import AppConfig


class BlsConfig(AppConfig):
    name = "bls"
    verbose_name = "EMDR and bilateral stimulation"

    def ready(self) -> None:
        from bls import panels  # noqa: F401  (registers the client-page section)
