from __future__ import annotations

from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from accounts.access import AuthedRequest
from accounts.actor import actor_from
from accounts.forms import TokenForm
from accounts.otp import needs_setup, pending_device, qr_data_uri, secret_for_display
from accounts.services import otp_device_confirm
from audit.services import log_action


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        # The user the form authenticated, whom super() has just signed in.
        user = form.get_user()
        # The password is only the first factor when an authenticator is set up.
        if django_otp.user_has_device(user):
            return _with_next(self.request, "accounts:verify", self.get_success_url())
        if needs_setup(user):
            return _with_next(self.request, "accounts:otp_setup", self.get_success_url())
        return response


def _with_next(request: HttpRequest, url_name: str, next_url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse(url_name)}?{urlencode({'next': next_url})}")


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: AuthedRequest) -> HttpResponse:
    """Second step of sign-in: the code from the user's authenticator app."""
    if not django_otp.user_has_device(request.user):
        return redirect(_next_url(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = django_otp.match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            django_otp.login(request, device)
            log_action(actor_from(request), "auth.2fa_verified", request.user)
            return redirect(_next_url(request))
        log_action(actor_from(request), "auth.2fa_failed", request.user)
        form.add_error("token", "That code did not match. Wait for a new code and try again.")
    return render(request, "accounts/verify.html", {"form": form, "next": _next_url(request)})


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: AuthedRequest) -> HttpResponse:
    """Set up an authenticator app: scan the code, then prove it works once."""
    # OTPMiddleware gives the signed-in user is_verified(); the stubs cannot know it.
    if django_otp.user_has_device(request.user) and not request.user.is_verified():  # type: ignore[attr-defined]
        return redirect("accounts:verify")
    device = pending_device(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            otp_device_confirm(actor=actor_from(request), device=device)
            django_otp.login(request, device)
            return redirect(_next_url(request))
        form.add_error("token", "That code did not match. Check the app and try the new code.")
    context = {
        "form": form,
        "qr": qr_data_uri(device.config_url),
        "secret": secret_for_display(device),
        "next": _next_url(request),
    }
    return render(request, "accounts/otp_setup.html", context)
