from django.contrib import admin

from website.models import Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin[Service]):
    list_display = ("title", "slug", "order", "published", "involves_ketamine")
    list_editable = ("order", "published")
    prepopulated_fields = {"slug": ("title",)}
