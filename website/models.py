from __future__ import annotations

from django.db import models
from django.urls import reverse


class ServiceQuerySet(models.QuerySet["Service"]):
    def published(self) -> ServiceQuerySet:
        return self.filter(published=True)


class Service(models.Model):
    """A service the practice offers, as a prospective client reads about it.

    Staff edit the text in the Django admin. Text fields are plain text;
    a blank line starts a new paragraph.
    """

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=120)
    order = models.PositiveIntegerField(default=100)
    published = models.BooleanField(default=True)
    involves_ketamine = models.BooleanField(
        default=False, help_text="Shows the dosing-day safety rules and the partner evaluation."
    )
    summary = models.CharField(max_length=300)
    what_it_is = models.TextField("What it is")
    who_it_may_help = models.TextField("Who it may help")
    how_it_works = models.TextField("How it works")
    session_experience = models.TextField("What a session is like")
    safety = models.TextField("Safety", blank=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("website:service", args=[self.slug])
