from django.urls import path  # noqa: F401

app_name = "consent_sign"
urlpatterns: list = []
