from django.urls import path  # noqa: F401

app_name = "portal_dosing"
urlpatterns: list = []
