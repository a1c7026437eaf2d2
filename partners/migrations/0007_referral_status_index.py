"""The referrals of a status, oldest first, from an index (issue 14): Today's "Referrals
waiting for you" read every referral (on PostgreSQL a sequential scan of 5,276 at 10,000
clients, 1.6 ms; on SQLite a scan too) for the few that need the practice."""

from django.db import migrations, models

from common.migration_operations import AddIndexOnline


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY on PostgreSQL (common.migration_operations).
    atomic = False
    dependencies = [
        ("partners", "0006_referral_partner_index_once"),
    ]

    operations = [
        AddIndexOnline(
            model_name="referral",
            index=models.Index(fields=["status", "updated_at", "id"], name="referral_status_idx"),
        ),
    ]
