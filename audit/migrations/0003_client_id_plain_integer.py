"""Keep the client's id on an audit entry as a plain indexed integer, not a foreign key.

The column (`client_id`, bigint, indexed) and its values stay as they are; only the
foreign-key constraint goes, so that the append-only trail can outlive the rows it
names and the audit app no longer depends on the clients app.

1. AlterField to a ForeignKey with db_constraint=False drops the constraint. On
   PostgreSQL that is one ALTER TABLE ... DROP CONSTRAINT (the append-only row
   trigger does not see DDL). On SQLite Django rebuilds the table (copy the rows into a
   new table, drop the old one, rename), and dropping the old table drops its
   append-only trigger, so the trigger is created again afterwards (and before the
   reverse rebuild, after it).
2. SeparateDatabaseAndState swaps the model state from the foreign key `client` to the
   integer `client_id` without touching the database: same column, same type, same
   index (Django names the index of a FK and of a db_index field alike).
"""

import django.db.models.deletion
from django.db import migrations, models

# The trigger of 0002_append_only_triggers, re-created where the SQLite rebuild dropped it.
SQLITE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only'); END;
"""


def restore_sqlite_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only_triggers"),
        ("clients", "0001_initial"),
    ]

    operations = [
        # Reverse only: the reverse of step 1 rebuilds the SQLite table again.
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_trigger),
        migrations.AlterField(
            model_name="auditevent",
            name="client",
            field=models.ForeignKey(
                blank=True,
                null=True,
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="clients.client",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="auditevent", name="client"),
                migrations.AddField(
                    model_name="auditevent",
                    name="client_id",
                    field=models.BigIntegerField(blank=True, db_index=True, null=True),
                ),
            ],
        ),
        migrations.RunPython(restore_sqlite_trigger, migrations.RunPython.noop),
    ]
