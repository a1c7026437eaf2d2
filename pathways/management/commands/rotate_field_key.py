"""Re-encrypt every encrypted field with the first of FIELD_ENCRYPTION_KEYS.

To rotate the key: put a new key first in FIELD_ENCRYPTION_KEYS (keep the old
one after it), restart, run this command, then remove the old key and restart.
Values already under the first key are left as they are, so it is safe to run
again; each value is rewritten only if it is unchanged since it was read. One
transaction: a value that no key opens stops the command and changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from common.crypto import FieldDecryptionError, columns_rewrite, rotate_str
from common.fields import encrypted_fields

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the first key of FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        alias = options["database"]
        connection = connections[alias]
        total = 0
        try:
            with transaction.atomic(using=alias):
                for model, names in encrypted_fields():
                    meta = model._meta
                    changed = columns_rewrite(
                        connection,
                        table=meta.db_table,
                        pk=str(meta.pk.column),
                        columns=[str(f.column) for f in meta.concrete_fields if f.name in names],
                        change=rotate_str,
                    )
                    total += changed
                    if changed:
                        self.stdout.write(f"{meta.label}: {changed} value(s) re-encrypted")
        except FieldDecryptionError as exc:
            raise CommandError(f"Nothing was changed: {exc}") from None
        # Counts only: no value, no key.
        logger.info("rotate_field_key re-encrypted %s value(s)", total)
        self.stdout.write(f"Re-encrypted {total} value(s) with the first key.")
