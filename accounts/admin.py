from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import User


@admin.register(User)
class PathwaysUserAdmin(UserAdmin[User]):
    list_display = ("username", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (
            "Practice role",
            {"fields": ("role", "is_clinician", "credentials", "on_call")},
        ),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        ("Practice role", {"fields": ("role", "first_name", "last_name", "email")}),
    )
