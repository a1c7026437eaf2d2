"""The clients' names in a trigram full-text index, on SQLite: the client search's names
found without reading every client.

The search matches a part of a name (`icontains`: on SQLite `LIKE '%word%'`), which no
B-tree can serve: at 10,000 clients it read every client, 2.6 ms of the 5.8 of a
search page, and more for each client added (issue 14). PostgreSQL has trigram GIN
indexes for it (migration 0006). SQLite's FTS5 has a trigram tokenizer (SQLite 3.34+):
`clients_client_names` indexes the three names of each client (rowid = the client's
id), kept by triggers on the client table. The search asks it for the clients whose
names hold each word of three characters or more (`names_holding`), a superset of the
matches (its case folding is Unicode's, LIKE's only ASCII's), and then filters those
as before (clients.search): the same clients, found through the index.

The triggers and the index are kept outside the migrations, made by `ensure` after
every `migrate` (clients.apps): SQLite's schema editor rebuilds the client table
whenever a migration alters it, and a rebuilt table has lost its triggers. `ensure`
makes what is missing, and rebuilds the index from the table when it made anything, so
a rebuilt table leaves an index that is whole again. Never make these triggers again
in a migration without the 'rebuild' that `ensure` runs after them: a 'delete' of a row
the index never held corrupts it. `ensure` checks names, not definitions: to change the
columns, the tokenizer or a trigger's body, rename TABLE (and drop the old ones). Where
SQLite lacks FTS5 or the tokenizer, nothing is made and the search reads the table as
before; so it does in a worker whose database has lost a trigger (`ready`).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import OperationalError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import RawSQL

TABLE = "clients_client_names"
COLUMNS = ("first_name", "last_name", "preferred_name")
# The tokenizer reads three characters at a time: a shorter word matches no entry.
SHORTEST_WORD = 3

_NEW = ", ".join(f"new.{c}" for c in COLUMNS)
_OLD = ", ".join(f"old.{c}" for c in COLUMNS)
_NAMES = ", ".join(COLUMNS)
_CREATE_TABLE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5({_NAMES}, "
    "content='clients_client', content_rowid='id', tokenize='trigram')"
)
# An external-content index forgets a row by being told its old values ('delete').
_ADD_NEW = f"INSERT INTO {TABLE}(rowid, {_NAMES}) VALUES (new.id, {_NEW});"  # noqa: S608
_FORGET_OLD = (
    f"INSERT INTO {TABLE}({TABLE}, rowid, {_NAMES}) "  # noqa: S608  (this module's names)
    f"VALUES ('delete', old.id, {_OLD});"
)
_ON = "ON clients_client FOR EACH ROW BEGIN"
_TRIGGERS = {
    f"{TABLE}_insert": f"AFTER INSERT {_ON} {_ADD_NEW} END",
    f"{TABLE}_delete": f"AFTER DELETE {_ON} {_FORGET_OLD} END",
    f"{TABLE}_update": f"AFTER UPDATE OF {_NAMES} {_ON} {_FORGET_OLD} {_ADD_NEW} END",
}

# Whether each database (by alias and name) has the index, at which version of its
# schema (`PRAGMA schema_version`, which SQLite moves on every change of the schema: a
# trigger dropped, a table rebuilt, another file put in its place). Asked again whenever
# it moves, so a worker never filters through an index its triggers no longer keep.
_READY: dict[tuple[str, str], tuple[int, bool]] = {}


def _present(connection: BaseDatabaseWrapper) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE name = %s OR (type = 'trigger' AND "
            "tbl_name = 'clients_client' AND name LIKE %s)",
            [TABLE, f"{TABLE}_%"],
        )
        return {row[0] for row in cursor.fetchall()}


def _can_index(connection: BaseDatabaseWrapper) -> bool:
    """This SQLite has FTS5 and its trigram tokenizer (3.34+): a throw-away table says."""
    probe = "temp.pathways_trigram_probe"
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE VIRTUAL TABLE {probe} USING fts5(x, tokenize='trigram')")
            cursor.execute(f"DROP TABLE {probe}")
    except OperationalError:
        return False
    return True


def ensure(connection: BaseDatabaseWrapper) -> bool:
    """Make the index and its triggers where missing (rebuilding the index from the
    client table if anything was made). True if the database has them now. Any other
    error than a SQLite without the tokenizer is raised: `migrate` must not end with
    the triggers missing and say nothing."""
    if connection.vendor != "sqlite":
        return False
    _READY.clear()
    if {TABLE, *_TRIGGERS} <= _present(connection):
        return True
    if not _can_index(connection):
        return False
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(_CREATE_TABLE)
        for name, body in _TRIGGERS.items():
            cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
        # Always after the triggers: an index the triggers did not keep is rebuilt, or a
        # later 'delete' of a row it never held corrupts it.
        cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")  # noqa: S608
    return True


def ready(alias: str) -> bool:
    """The database `alias` has the index and all its triggers now (SQLite, after
    `ensure`): one `PRAGMA schema_version` a search, the rest when it has moved."""
    connection = connections[alias]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA schema_version")
        (version,) = cursor.fetchone()
    key = (alias, str(connection.settings_dict["NAME"]))
    known = _READY.get(key)
    if known is None or known[0] != version:
        known = (version, {TABLE, *_TRIGGERS} <= _present(connection))
        _READY[key] = known
    return known[1]


def _phrase(word: str) -> str:
    """`word` as an FTS5 string: in double quotes, each double quote doubled."""
    return '"' + word.replace('"', '""') + '"'


def names_holding(words: Sequence[str]) -> RawSQL | None:
    """The ids of the clients whose names hold every word of three characters or more,
    each in one of the names, case aside (a superset of `icontains` on each: see the
    module's doc); None when no word is that long."""
    # A NUL ends an FTS5 string: such a word is left to the filters (no form lets one in).
    long_enough = [w for w in words if len(w) >= SHORTEST_WORD and "\x00" not in w]
    if not long_enough:
        return None
    match = " AND ".join(_phrase(w) for w in long_enough)
    # The table's name is this module's; the words go in as a parameter.
    return RawSQL(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", [match])  # noqa: S608, S611
