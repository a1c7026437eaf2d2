"""Every trigger the project relies on is in the database after the whole `migrate`.

Why: on SQLite, Django's schema editor rebuilds a table whenever a migration alters it
(a new table, the rows copied, the old one dropped), and a dropped table takes its
triggers with it. The audit trail's append-only guard (audit 0002-0004), the outcomes
report's data version (measures 0008) and the client search's name index
(clients.name_index) are triggers: a later migration that alters one of their tables
would switch one off without a word. The test database is migrated from nothing, so
such a migration fails here (then make the triggers again after it, as audit 0003
does). The names' index is the exception: `clients.name_index.ensure` makes its triggers
again after every migrate, with the rebuild they need, so here it only shows that
`ensure` ran; never make those in a migration.
"""

from __future__ import annotations

from importlib import import_module

from django.db import connection

from clients import name_index
from pathways.testing import BaseTestCase

_outcomes = import_module("measures.migrations.0008_outcomes_data_version")


def expected() -> set[str]:
    if connection.vendor == "sqlite":
        return {
            "audit_auditevent_no_update",
            "audit_auditevent_no_delete",
            "audit_auditchainhead_no_delete",
            *(
                _outcomes._trigger(table, operation)
                for table in _outcomes.WATCHED
                for operation in _outcomes.OPERATIONS
            ),
            *name_index._TRIGGERS,
        }
    return {
        "audit_auditevent_append_only",
        "audit_auditevent_no_truncate",
        "audit_auditchainhead_no_delete",
        "audit_auditchainhead_no_truncate",
        *(_outcomes._trigger(table) for table in _outcomes.WATCHED),
    }


def present() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {row[0] for row in cursor.fetchall()}


class TriggersKeptTests(BaseTestCase):
    def test_it_finds_every_trigger_after_migrate(self) -> None:
        missing = expected() - present()
        assert not missing, f"triggers lost by a migration: {sorted(missing)}"
