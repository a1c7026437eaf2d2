from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views

# Your own account and session, behind role_required: a namespace of its own
# (accounts:account:...), so that its permission matrix covers exactly these; the
# sign-in steps above it are for anyone signing in (pathways/tests/test_permission_matrix.py).
account_urls = (
    [
        path("", views.account, name="home"),
        path("sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
        path("keep-alive/", views.keep_alive, name="keep_alive"),
    ],
    "account",
)

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.LoginView.as_view(), name="login"),
    path("sign-in/verify/", views.verify, name="verify"),
    path("sign-in/confirm/", views.reauth, name="reauth"),
    path("two-factor/", views.otp_setup, name="otp_setup"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include(account_urls)),
]
