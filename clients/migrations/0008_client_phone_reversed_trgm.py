"""The search by part of a phone number reads a trigram index on the reversed digits,
on PostgreSQL only (issue 14).

Migration 0006 put the trigram index on ``phone_digits`` itself. pg_trgm's operator
class also answers equality, and PostgreSQL's estimate of it is far too low, so the
inbox's duplicate check (``phone_digits IN (…)``, intake.queries.client_matches) went
through the trigram index instead of the B-tree on the column: 97 ms at 10,000 clients,
whose invented numbers all share the trigrams of 555-01xx, against 3 ms through the
B-tree. An index on another expression, reverse(phone_digits), serves only a lookup
written on that expression: clients.search matches the reversed digits (a part of a
number is a part of it reversed), and equality goes back to the B-tree. Kept out of the
models' state for the reasons 0006 gives. Tests: pathways/tests/test_explain_pages.py
("client search by phone") and intake/tests/test_duplicates_plan.py.
"""

from django.db import migrations

OLD = ("client_phone_digits_trgm", "(phone_digits::text)")
NEW = ("client_phone_digits_reversed_trgm", "reverse(phone_digits::text)")


def _swap(schema_editor, drop, create):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {drop[0]}")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {create[0]} ON clients_client "
        f"USING gin (({create[1]}) gin_trgm_ops)"
    )


def forwards(apps, schema_editor):
    _swap(schema_editor, OLD, NEW)


def backwards(apps, schema_editor):
    _swap(schema_editor, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [("clients", "0007_client_therapist_name_idx")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
