from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.LoginView.as_view(), name="login"),
    path("sign-in/verify/", views.verify, name="verify"),
    path("two-factor/", views.otp_setup, name="otp_setup"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
]
