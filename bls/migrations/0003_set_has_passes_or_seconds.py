from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bls", "0002_initial"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="desensitisationset",
            constraint=models.CheckConstraint(
                condition=models.Q(("passes__isnull", False), ("seconds__isnull", False), _connector="OR"),
                name="set_has_passes_or_seconds",
            ),
        ),
    ]
