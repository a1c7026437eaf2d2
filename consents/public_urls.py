"""The client's signing page: public, no sign-in; the secret link is the key."""

from django.urls import path

from consents import views

app_name = "consent_sign"
urlpatterns = [
    path("done/", views.done, name="done"),
    path("copy/<int:pk>/", views.copy, name="copy"),
    path("<str:token>/", views.sign, name="sign"),
]
