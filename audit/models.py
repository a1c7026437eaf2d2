from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    # Bulk paths bypass save()/delete(), so they are closed here too.
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("The audit trail is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The audit trail is append-only")


class AuditEvent(models.Model):
    """One entry of the append-only audit trail.

    Written only through `audit.services.log_action`. Entries are never updated
    or deleted: the model, its queryset and its admin all refuse. The `id`
    sequence gives a total order, so a later hash chain (each entry storing the
    hash of the one before) can be added in `log_action` and backfilled in order
    without changing any caller.

    Each entry carries `hash`, the SHA-256 of its canonical content and of the
    hash of the entry before it (`prev_hash`), so that an entry edited, deleted,
    inserted or moved breaks the chain (`audit.chain`, `manage.py audit_verify`).
    `prev_hash` is unique: two entries cannot follow the same one (no fork).
    """

    at = models.DateTimeField(db_index=True)  # set by log_action, always UTC
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=True,
    )
    # The id is kept beside the FK so the row still says who, whatever happens to users.
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # The client's id as a plain integer, not a foreign key: an append-only trail must
    # outlive the rows it names, and the audit app sits below the clients app.
    client_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    # Field names that changed, ids, statuses: never free-text PHI.
    detail = models.JSONField(default=dict, blank=True)
    # The hash chain (audit.chain): the previous entry's hash (64 zeros for the first).
    prev_hash = models.CharField(max_length=64, unique=True, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        # The admin list and the staff audit report sort by time and filter by user,
        # action or client within a period: each filter has an index that also
        # gives the order, so a page reads its rows and no more (audit.paging).
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["at", "id"], name="audit_at_id_idx"),
            models.Index(fields=["actor_username", "at"], name="audit_user_at_idx"),
            models.Index(fields=["action", "at"], name="audit_action_at_idx"),
            models.Index(fields=["client_id", "at"], name="audit_client_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S}Z {self.actor_username or '-'} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("The audit trail is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The audit trail is append-only")


class AuditChainHead(models.Model):
    """The end of the hash chain: one row (pk 1), updated by `log_action` under its
    lock in the same transaction as the entry it names. It anchors the chain's tail:
    deleting the last entries, or appending one outside `log_action`, leaves the
    head naming another entry, which `audit_verify` reports. The database refuses
    to delete it (migration 0004)."""

    last_id = models.BigIntegerField()
    last_hash = models.CharField(max_length=64)
    last_at = models.DateTimeField()
    # Entries up to this id were chained by the migration that brought the chain in;
    # their times were taken before the lock existed and may be out of order.
    backfilled_through = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"audit chain head: #{self.last_id}"
