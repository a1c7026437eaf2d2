"""Audited writes to the client record."""

from __future__ import annotations

from django.db import models, transaction
from django.forms import ModelForm
from django.utils import timezone

from accounts.access import AuthedRequest
from audit.services import log_action
from clients.models import Client


def client_create(request: AuthedRequest, form: ModelForm) -> Client:
    with transaction.atomic():
        client: Client = form.save(commit=False)
        client.created_by = request.user
        client.save()
        log_action(request, "client.create", client, client=client)
    return client


def client_update(request: AuthedRequest, form: ModelForm) -> Client:
    with transaction.atomic():
        client: Client = form.save()
        # Field names only: the values are PHI and stay out of the trail.
        log_action(
            request, "client.update", client, client=client, detail={"fields": form.changed_data}
        )
    return client


def record_item_add(request: AuthedRequest, client: Client, form: ModelForm) -> models.Model:
    """Add a diagnosis, a reported medication or an allergy."""
    with transaction.atomic():
        item = form.save(commit=False)
        item.client = client
        if hasattr(item, "added_by_id"):
            item.added_by = request.user
        item.save()
        kind = item._meta.model_name
        log_action(request, f"client.{kind}_add", item, client=client)
    return item


def record_item_end(request: AuthedRequest, item: models.Model, field: str) -> None:
    """Resolve a diagnosis, stop a medication or remove an allergy, keeping the history."""
    with transaction.atomic():
        setattr(item, field, timezone.now())
        item.save(update_fields=[field])
        kind = item._meta.model_name
        log_action(request, f"client.{kind}_end", item, client=item.client)  # type: ignore[attr-defined]
