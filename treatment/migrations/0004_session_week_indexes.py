"""The partner portal's "sessions this week" finds a week's dosing sessions through
indexes (issue 14): by when they started, else by their appointment's start (which
scheduling's starts_at index serves), else by the day they are planned.
dosing.portal_views.week_session_ids reads them. Partial: only dosing sessions, and
no session not yet started in the first (see treatment.models.TreatmentSession)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("treatment", "0003_session_cancel_reason"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="treatmentsession",
            index=models.Index(
                fields=["started_at"],
                name="session_dosing_started_idx",
                condition=models.Q(kind="dosing", started_at__isnull=False),
            ),
        ),
        migrations.AddIndex(
            model_name="treatmentsession",
            index=models.Index(
                fields=["planned_date"],
                name="session_dosing_planned_idx",
                condition=models.Q(kind="dosing"),
            ),
        ),
    ]
