"""The BLS display page, public at /display/ (no sign-in: see bls/display_views.py)."""

from django.urls import path

from bls import display_views

app_name = "bls_display"
urlpatterns = [
    path("", display_views.display, name="display"),
]
