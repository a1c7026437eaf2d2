"""The audit trail's hash chain, its head, and triggers that also refuse DELETE and TRUNCATE.

1. The triggers of 0002/0003 go first: the backfill below updates every row.
2. Each entry gets `prev_hash` and `hash` (audit.chain), backfilled in id order, and
   the chain head (one row) names the last entry. `prev_hash` is then made unique,
   so that the database itself refuses a fork (two entries following the same one).
3. The new triggers. PostgreSQL refuses UPDATE, DELETE and TRUNCATE of the trail, and
   DELETE and TRUNCATE of the chain head (log_action updates it). SQLite refuses
   UPDATE and DELETE of the trail and DELETE of the head.

   The test suite must empty these tables between tests (Django's flush: DELETE on
   SQLite, TRUNCATE on PostgreSQL). The triggers let DELETE and TRUNCATE through only
   while a table named `audit_flush_allowed` exists; the test set-up creates it in the
   test database (conftest.py, django_db_setup) and nothing else does. UPDATE is
   refused whatever exists. Creating that table needs the rights that dropping a
   trigger needs too; the hash chain (audit_verify) is what detects that.

On SQLite, steps 2's AddField/AlterField rebuild the table, which drops its
triggers: they are created once the table is in its final shape.
"""

from django.db import migrations, models

from audit.chain import GENESIS, canonical, chain_hash

MARKER = "audit_flush_allowed"

# --- 0002/0003's triggers, for the reverse ---------------------------------------
OLD_PG = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_auditevent is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"""
OLD_SQLITE = """
CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only'); END;
"""
DROP_PG = """
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_auditchainhead_no_delete ON audit_auditchainhead;
DROP TRIGGER IF EXISTS audit_auditchainhead_no_truncate ON audit_auditchainhead;
DROP FUNCTION IF EXISTS audit_append_only();
"""
DROP_SQLITE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
    "DROP TRIGGER IF EXISTS audit_auditchainhead_no_delete",
]

# --- The new triggers ----------------------------------------------------------
NEW_PG = f"""
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
    -- Only the test suite's flush: the marker table exists in the test database only.
    IF TG_OP IN ('DELETE', 'TRUNCATE') AND to_regclass('{MARKER}') IS NOT NULL THEN
        IF TG_LEVEL = 'ROW' THEN
            RETURN OLD;
        END IF;
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING MESSAGE = TG_OP || ' refused: the audit trail is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_auditevent_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_auditchainhead_no_delete
    BEFORE DELETE ON audit_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_auditchainhead_no_truncate
    BEFORE TRUNCATE ON audit_auditchainhead
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
"""
_NO_MARKER = f"NOT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{MARKER}')"
NEW_SQLITE = [
    """CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, 'UPDATE refused: the audit trail is append-only'); END""",
    f"""CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
    WHEN {_NO_MARKER}
    BEGIN SELECT RAISE(ABORT, 'DELETE refused: the audit trail is append-only'); END""",
    f"""CREATE TRIGGER audit_auditchainhead_no_delete BEFORE DELETE ON audit_auditchainhead
    WHEN {_NO_MARKER}
    BEGIN SELECT RAISE(ABORT, 'DELETE refused: the audit trail is append-only'); END""",
]


def _run(schema_editor, pg, sqlite):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(pg)
    elif vendor == "sqlite":
        for statement in [sqlite] if isinstance(sqlite, str) else sqlite:
            schema_editor.execute(statement)


def drop_old_triggers(apps, schema_editor):
    _run(schema_editor, DROP_PG, DROP_SQLITE)


def restore_old_triggers(apps, schema_editor):
    _run(schema_editor, OLD_PG, OLD_SQLITE)


def create_triggers(apps, schema_editor):
    _run(schema_editor, NEW_PG, NEW_SQLITE)


def drop_triggers(apps, schema_editor):
    _run(schema_editor, DROP_PG, DROP_SQLITE)


def backfill(apps, schema_editor):
    """Chain the existing entries in id order (the hashing is audit.chain's, which
    must never change: every stored hash depends on it)."""
    db = schema_editor.connection.alias
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    prev_hash, last, latest, batch = GENESIS, None, None, []
    for event in AuditEvent.objects.using(db).order_by("id").iterator(chunk_size=2000):
        content = canonical(
            at=event.at,
            actor_id=event.actor_id,
            actor_username=event.actor_username,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            client_id=event.client_id,
            ip=event.ip,
            detail=event.detail,
        )
        event.prev_hash, event.hash = prev_hash, chain_hash(prev_hash, content)
        prev_hash, last = event.hash, event
        latest = event.at if latest is None else max(latest, event.at)
        batch.append(event)
        if len(batch) >= 1000:
            AuditEvent.objects.using(db).bulk_update(batch, ["prev_hash", "hash"])
            batch = []
    if batch:
        AuditEvent.objects.using(db).bulk_update(batch, ["prev_hash", "hash"])
    if last is not None:
        AuditChainHead.objects.using(db).create(
            pk=1,
            last_id=last.pk,
            last_hash=last.hash,
            last_at=latest,
            backfilled_through=last.pk,
        )


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_client_id_plain_integer")]

    operations = [
        migrations.RunPython(drop_old_triggers, restore_old_triggers),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("last_id", models.BigIntegerField()),
                ("last_hash", models.CharField(max_length=64)),
                ("last_at", models.DateTimeField()),
                ("backfilled_through", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
