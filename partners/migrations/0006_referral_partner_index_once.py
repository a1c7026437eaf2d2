"""The referral's partner loses the index of its own foreign key (issue 14): the
portal's index (partner, sent_at, id), referral_partner_sent (0005), leads with the
partner and serves every look-up by partner, and each index costs every write. On
SQLite Django rebuilds the table to drop it (no trigger lives on it)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0005_portal_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="referral",
            name="partner",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="referrals",
                to="partners.partner",
            ),
        ),
    ]
