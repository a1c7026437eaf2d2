"""Check the audit trail's hash chain: `manage.py audit_verify [--database ALIAS]`.

Prints "OK" with the number of entries and the hash of the last one (keep it outside
the database to compare later), or names the first entry that was edited, deleted,
inserted, reordered or backdated and exits non-zero.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from audit.chain import verify_chain


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; exit non-zero at the first broken entry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain(options["database"])
        if report.problem is not None:
            raise CommandError(
                f"Audit trail TAMPERED ({report.problem.kind}): {report.problem.message}. "
                f"{report.count} entries before it are intact."
            )
        self.stdout.write(f"OK: {report.count} audit entries, chain head {report.head_hash}")
