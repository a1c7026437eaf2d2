from django.urls import path

from interop import views

app_name = "interop"

urlpatterns = [
    path("clients/<int:client_id>/export/", views.client_export, name="client_export"),
]
