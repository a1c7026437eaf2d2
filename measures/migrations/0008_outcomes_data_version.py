"""The outcomes report's data version (measures.models.OutcomesDataVersion) and the
triggers that change its token on every insert, update and delete of what the report
reads. Triggers rather than signals: a queryset's update() and bulk_create() send no
signal, and a score corrected by SQL must show too.

PostgreSQL: one statement-level trigger per table (a bulk insert of a thousand scores
changes the token once). SQLite has only row-level triggers: one upsert per row, about
2 microseconds. TRUNCATE (which only the test suite's flush does) is not watched: an
emptied version table makes the report compute afresh (measures.outcomes.cache)."""

from django.db import migrations, models

# The tables the report reads (measures.outcomes.queries and .aggregate).
WATCHED = [
    "measures_response",
    "measures_instrument",
    "treatment_treatmentcourse",
    "treatment_treatmentsession",
    "dosing_dosingrecord",
    "dosing_administration",
]
VERSION = "measures_outcomesdataversion"
OPERATIONS = ["INSERT", "UPDATE", "DELETE"]

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION measures_outcomes_changed() RETURNS trigger AS $$
BEGIN
    INSERT INTO {VERSION} (id, token)
    VALUES (1, floor(random() * 9.0e18)::bigint - 4500000000000000000)
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


def _trigger(table: str, operation: str = "") -> str:
    return f"{table}_outcomes_changed{'_' + operation.lower() if operation else ''}"


def create(apps, schema_editor):  # noqa: ARG001
    vendor = schema_editor.connection.vendor
    statements: list[str] = []
    if vendor == "postgresql":
        statements.append(PG_FUNCTION)
        statements += [
            f"CREATE TRIGGER {_trigger(table)} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION measures_outcomes_changed()"
            for table in WATCHED
        ]
    elif vendor == "sqlite":
        statements += [
            f"CREATE TRIGGER {_trigger(table, operation)} AFTER {operation} ON {table} "
            f"BEGIN INSERT OR REPLACE INTO {VERSION} (id, token) VALUES (1, random()); END"
            for table in WATCHED
            for operation in OPERATIONS
        ]
    else:  # pragma: no cover - settings_check allows these two engines only
        raise RuntimeError(f"no outcomes-version triggers for {vendor}")
    for statement in statements:
        schema_editor.execute(statement)


def drop(apps, schema_editor):  # noqa: ARG001
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in WATCHED:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {_trigger(table)} ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS measures_outcomes_changed()")
    else:
        for table in WATCHED:
            for operation in OPERATIONS:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {_trigger(table, operation)}")


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0007_response_client_instrument_time"),
        ("treatment", "0003_session_cancel_reason"),
        ("dosing", "0005_sessionnote_unsigned_idx"),
    ]

    operations = [
        migrations.CreateModel(
            name="OutcomesDataVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(create, drop),
    ]
