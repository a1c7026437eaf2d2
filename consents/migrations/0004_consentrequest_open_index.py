"""A client's consent requests still open, from an index of their own (issue 14): Today's
"consents waiting" of a therapist's clients read every request ever sent to them,
signed ones included, through the client index; through this one, the open ones alone."""

from django.db import migrations, models

from common.migration_operations import AddIndexOnline


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY on PostgreSQL (common.migration_operations).
    atomic = False
    dependencies = [
        ("consents", "0003_signedconsent_client_partner"),
    ]

    operations = [
        AddIndexOnline(
            model_name="consentrequest",
            index=models.Index(
                fields=["client", "expires_at"],
                name="consentrequest_open_idx",
                condition=models.Q(cancelled_at__isnull=True, used_at__isnull=True),
            ),
        ),
    ]
