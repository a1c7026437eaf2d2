"""Keep the service of interest as the service's title (text), not a foreign key.

The title of each client's current service is copied into a new text column before the
foreign key is dropped, then the column takes the old field's name. Reversing links
each client back to the service of that title, where one still exists.
"""

from django.db import migrations, models


def copy_titles(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    Service = apps.get_model("website", "Service")
    for service in Service.objects.all():
        Client.objects.filter(service_of_interest_id=service.pk).update(
            service_of_interest_title=service.title
        )


def link_services(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    Service = apps.get_model("website", "Service")
    for service in Service.objects.all():
        Client.objects.filter(service_of_interest_title=service.title).update(
            service_of_interest_id=service.pk
        )


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0003_record_ordering_icd10"),
        ("website", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="client",
            name="service_of_interest_title",
            field=models.CharField(
                blank=True, default="", max_length=200, verbose_name="Service of interest"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(copy_titles, link_services),
        migrations.RemoveField(model_name="client", name="service_of_interest"),
        migrations.RenameField(
            model_name="client",
            old_name="service_of_interest_title",
            new_name="service_of_interest",
        ),
    ]
