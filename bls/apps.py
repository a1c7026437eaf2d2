from django.apps import AppConfig


class BlsConfig(AppConfig):
    name = "bls"
    verbose_name = "EMDR and bilateral stimulation"
