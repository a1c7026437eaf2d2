"""A client's measure links still open, from an index of their own (issue 14): Today's
"measures due" of a therapist's clients read each client's every link through the
client index (about 10,000 rows for one therapist at 10,000 clients, and growing by a
link a fortnight a client); through this one, the open links alone."""

from django.db import migrations, models

from common.migration_operations import AddIndexOnline


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY on PostgreSQL (common.migration_operations).
    atomic = False
    dependencies = [
        ("measures", "0010_open_alert_index"),
    ]

    operations = [
        AddIndexOnline(
            model_name="measurelink",
            index=models.Index(
                fields=["client", "expires_at"],
                name="measurelink_open_idx",
                condition=models.Q(cancelled_at__isnull=True, used_at__isnull=True),
            ),
        ),
    ]
