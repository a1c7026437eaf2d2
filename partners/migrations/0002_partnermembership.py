"""A prescriber's partner organisation moves from accounts.User.partner to
partners.PartnerMembership (accounts sits below partners). Every user's partner
is copied; accounts 0005 then drops the old column. Reversible: going back copies
the memberships onto the restored column."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_user_partners(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    PartnerMembership = apps.get_model("partners", "PartnerMembership")
    db = schema_editor.connection.alias
    PartnerMembership.objects.using(db).bulk_create(
        [
            PartnerMembership(user_id=user_id, partner_id=partner_id)
            for user_id, partner_id in User.objects.using(db)
            .filter(partner__isnull=False)
            .values_list("pk", "partner_id")
        ],
        batch_size=500,
    )


def copy_memberships_back(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    PartnerMembership = apps.get_model("partners", "PartnerMembership")
    db = schema_editor.connection.alias
    for user_id, partner_id in PartnerMembership.objects.using(db).values_list(
        "user_id", "partner_id"
    ):
        User.objects.using(db).filter(pk=user_id).update(partner_id=partner_id)


class Migration(migrations.Migration):

    dependencies = [
        ("partners", "0001_initial"),
        # The last state of accounts with User.partner, which the copy reads.
        ("accounts", "0004_user_is_clinician"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PartnerMembership",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "partner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="memberships",
                        to="partners.partner",
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="partner_membership",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.RunPython(copy_user_partners, copy_memberships_back),
    ]
