"""Outcome instruments stored in the database, loaded from the JSON definitions in
``measures/instruments/`` by ``manage.py load_instruments``. The definition is the
whole validated document; ``measures.scoring`` works on it."""

from __future__ import annotations

from django.db import models


class Instrument(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=40)
    version = models.CharField(max_length=40)
    definition = models.JSONField()
    loaded_at = models.DateTimeField(auto_now=True)

    objects: models.Manager[Instrument] = models.Manager()

    class Meta:
        ordering = ["short_name"]

    def __str__(self) -> str:
        return f"{self.short_name} (v{self.version})"
