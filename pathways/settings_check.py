"""The database settings, checked at start-up (called by pathways/settings.py right
after DATABASES is built, so that a bad pair stops every process: the web workers,
db_worker and manage.py alike).

- The read replica (REPLICA_DATABASE_URL, alias "replica") must be of the primary's
  engine: it is a copy of the primary that the reports read instead of it
  (pathways.db_router), and the outcomes report runs SQL written for the primary's
  engine. A replica of another engine is a mistake in the environment (a SQLite file
  beside a PostgreSQL primary holds none of the practice's data), so it refuses to
  start rather than serve reports from it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

REPLICA = "replica"


def validate_databases(databases: dict[str, dict[str, Any]]) -> None:
    """Raise ImproperlyConfigured when the replica's engine is not the primary's."""
    replica = databases.get(REPLICA)
    if replica is None:
        return
    primary_engine, replica_engine = databases["default"]["ENGINE"], replica["ENGINE"]
    if replica_engine != primary_engine:
        raise ImproperlyConfigured(
            f"REPLICA_DATABASE_URL is a {replica_engine} database and DATABASE_URL a "
            f"{primary_engine} one: the read replica must be a copy of the primary "
            f"database, of the same engine. Fix REPLICA_DATABASE_URL, or unset it to read "
            f"the reports from the primary."
        )
