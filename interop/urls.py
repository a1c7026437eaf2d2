from django.urls import path

from interop import import_views, views

app_name = "interop"

urlpatterns = [
    path("clients/<int:client_id>/export/", views.client_export, name="client_export"),
    path("clients/<int:client_id>/import/", import_views.client_import, name="client_import"),
    path(
        "clients/<int:client_id>/import/confirm/",
        import_views.client_import_confirm,
        name="client_import_confirm",
    ),
]
