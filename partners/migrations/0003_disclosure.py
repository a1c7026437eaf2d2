"""The accounting of disclosures: one row per disclosure of a client's information
to a partner (a referral sent, a practice answer, a portal read), under the release
of information in force at that moment."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0002_allergy_diagnosis_reportedmedication_and_more"),
        ("consents", "0001_initial"),
        ("partners", "0002_partnermembership"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Disclosure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("referral", "Referral (contact, diagnoses, medications, scores)"),
                            (
                                "referral_list",
                                "Referral list entry (name, date of birth, status)",
                            ),
                            ("message", "Message from the practice on the referral"),
                            ("prescription", "Prescription"),
                            ("session_summary", "Dosing session summary"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("portal_read", "Read by the partner in the portal"),
                            ("practice_send", "Sent by the practice"),
                        ],
                        max_length=16,
                    ),
                ),
                ("object_ids", models.JSONField(default=dict)),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="clients.client",
                    ),
                ),
                (
                    "partner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="partners.partner",
                    ),
                ),
                (
                    "release",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="consents.signedconsent",
                    ),
                ),
            ],
            options={
                "ordering": ["-at", "-id"],
                "indexes": [models.Index(fields=["client", "-at"], name="disclosure_client_at")],
            },
        ),
    ]
