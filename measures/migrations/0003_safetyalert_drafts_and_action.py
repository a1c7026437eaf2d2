"""Safety alerts raised from drafts, and the action taken on acknowledgement.

An alert may now exist before its Response (raised from a link's saved draft), so
`response` becomes optional and the alert also records its `link` and
`instrument`. Existing alerts get both from their response. `action` is the
action chosen from a list when a clinician acknowledges; alerts acknowledged
before this keep it blank (their note still says what was done).
"""

import django.db.models.deletion
from django.db import migrations, models


def fill_from_response(apps, schema_editor):
    SafetyAlert = apps.get_model("measures", "SafetyAlert")
    for alert in SafetyAlert.objects.select_related("response").filter(instrument=None):
        alert.instrument_id = alert.response.instrument_id
        alert.link_id = alert.response.link_id
        alert.save(update_fields=["instrument", "link"])


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0002_measurelink_measureschedule_response_safetyalert"),
    ]

    operations = [
        migrations.AddField(
            model_name="safetyalert",
            name="action",
            field=models.CharField(
                blank=True,
                choices=[
                    ("safety_plan", "Safety plan reviewed with the client"),
                    ("cssrs", "C-SSRS screen done"),
                    ("crisis_services", "Crisis services contacted"),
                    ("no_action", "No action needed (give the reason in the note)"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="safetyalert",
            name="instrument",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="measures.instrument",
            ),
        ),
        migrations.AddField(
            model_name="safetyalert",
            name="link",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="safety_alerts",
                to="measures.measurelink",
            ),
        ),
        migrations.RunPython(fill_from_response, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="safetyalert",
            name="instrument",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="measures.instrument",
            ),
        ),
        migrations.AlterField(
            model_name="safetyalert",
            name="response",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="alerts",
                to="measures.response",
            ),
        ),
        migrations.AddConstraint(
            model_name="safetyalert",
            constraint=models.CheckConstraint(
                condition=models.Q(("response__isnull", False), ("link__isnull", False), _connector="OR"),
                name="measures_safetyalert_has_a_source",
            ),
        ),
        migrations.AddConstraint(
            model_name="safetyalert",
            constraint=models.UniqueConstraint(
                condition=models.Q(("response__isnull", False)),
                fields=("response", "item"),
                name="measures_safetyalert_once_per_response_item",
            ),
        ),
        migrations.AddConstraint(
            model_name="safetyalert",
            constraint=models.UniqueConstraint(
                condition=models.Q(("link__isnull", False)),
                fields=("link", "instrument", "item"),
                name="measures_safetyalert_once_per_link_item",
            ),
        ),
    ]
