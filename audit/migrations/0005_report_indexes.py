"""Indexes for the filters and the order of the audit admin list and the staff audit
report (audit.paging, pathways.audit_report).

Adding an index is CREATE INDEX on both backends: no row is updated or deleted, so
the append-only triggers of 0004 neither fire nor go (SQLite rebuilds no table for
an index) and no hash of the chain changes. On PostgreSQL, CREATE INDEX blocks
writes to the trail while it builds (about a minute per index at 2.5 million rows
on SQLite, measured); run it in a quiet hour.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0004_hash_chain'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['at', 'id'], name='audit_at_id_idx'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['actor_username', 'at'], name='audit_user_at_idx'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['action', 'at'], name='audit_action_at_idx'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['client_id', 'at'], name='audit_client_at_idx'),
        ),
    ]
