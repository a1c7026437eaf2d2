"""The open safety alerts from an index of their own (issue 14): every staff page's
navigation counts them, and Today and the alerts page list them oldest first; without
it each read every alert ever raised (1,815 at 10,000 clients, and growing)."""

from django.db import migrations, models

from common.migration_operations import AddIndexOnline


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY on PostgreSQL (common.migration_operations).
    atomic = False
    dependencies = [
        ("measures", "0009_response_source_fhir"),
    ]

    operations = [
        AddIndexOnline(
            model_name="safetyalert",
            index=models.Index(
                fields=["raised_at", "id"],
                name="alert_open_raised_idx",
                condition=models.Q(acknowledged_at__isnull=True),
            ),
        ),
    ]
