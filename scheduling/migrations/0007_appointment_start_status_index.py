"""The day's appointments still to run, counted from an index alone (issue 14): every
staff page's navigation of the intake team and the admin counts them over the whole
practice; through the starts_at index each of the day's appointments (523 at 10,000
clients) was read from the table for its status."""

from django.db import migrations, models

from common.migration_operations import AddIndexOnline


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY on PostgreSQL (common.migration_operations).
    atomic = False
    dependencies = [
        ("scheduling", "0006_appointment_session_start_index"),
    ]

    operations = [
        AddIndexOnline(
            model_name="appointment",
            index=models.Index(fields=["starts_at", "status"], name="appt_start_status_idx"),
        ),
    ]
