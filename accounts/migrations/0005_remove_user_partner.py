"""User.partner is now partners.PartnerMembership; partners 0002 copied it there."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0004_user_is_clinician"),
        ("partners", "0002_partnermembership"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="user",
            name="partner",
        ),
    ]
