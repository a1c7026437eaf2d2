"""SUD 0–10 and VOC 1–7 checked by the database too (empty stays allowed), and the
reason an incomplete closure needs (issue 8 §7)."""

from django.db import migrations, models


def in_range(name: str, low: int, high: int, message: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q((f"{name}__isnull", True), models.Q((f"{name}__gte", low), (f"{name}__lte", high)), _connector="OR"),
        name=f"emdr_{name}_{low}_to_{high}",
        violation_error_message=message,
    )


SUD = "SUD is from 0 to 10."
VOC = "VOC is from 1 to 7."


class Migration(migrations.Migration):
    dependencies = [
        ("bls", "0003_set_has_passes_or_seconds"),
    ]

    operations = [
        migrations.AddField(
            model_name="emdrrecord",
            name="closure_reason",
            field=models.TextField(blank=True, max_length=2000, verbose_name="Why the session is incomplete"),
        ),
        migrations.AddConstraint(model_name="desensitisationset", constraint=in_range("sud", 0, 10, SUD)),
        migrations.AddConstraint(model_name="emdrrecord", constraint=in_range("sud_start", 0, 10, SUD)),
        migrations.AddConstraint(model_name="emdrrecord", constraint=in_range("sud_end", 0, 10, SUD)),
        migrations.AddConstraint(model_name="emdrrecord", constraint=in_range("voc_start", 1, 7, VOC)),
        migrations.AddConstraint(model_name="emdrrecord", constraint=in_range("installation_voc", 1, 7, VOC)),
        migrations.AddConstraint(model_name="emdrrecord", constraint=in_range("voc_end", 1, 7, VOC)),
    ]
