"""The partner portal's "sessions this week" finds a week's dosing sessions through
indexes (issue 14): by when they started, else by their appointment's start (which
scheduling's starts_at index serves), else by the day they are planned.
dosing.portal_views.week_session_ids reads them. Partial: only dosing sessions, and
no session not yet started in the first (see treatment.models.TreatmentSession)."""

from django.db import migrations, models

from common.migration_operations import AddIndexOnline


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY on PostgreSQL (common.migration_operations).
    atomic = False
    dependencies = [
        ("treatment", "0003_session_cancel_reason"),
    ]

    operations = [
        AddIndexOnline(
            model_name="treatmentsession",
            index=models.Index(
                fields=["started_at"],
                name="session_dosing_started_idx",
                condition=models.Q(kind="dosing", started_at__isnull=False),
            ),
        ),
        AddIndexOnline(
            model_name="treatmentsession",
            index=models.Index(
                fields=["planned_date"],
                name="session_dosing_planned_idx",
                condition=models.Q(kind="dosing"),
            ),
        ),
    ]
