from __future__ import annotations

from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import STAFF_ROLES, AuthedRequest, redirect_to, role_required
from accounts.actor import actor_from
from accounts.forms import ReauthForm, TokenForm
from accounts.models import Role
from accounts.otp import (
    has_confirmed_device,
    needs_setup,
    needs_verification,
    pending_device,
    qr_data_uri,
    secret_for_display,
)
from accounts.reauth import mark_password, mark_second_factor, reauth_required
from accounts.services import otp_device_confirm, user_sessions_revoke
from accounts.session_store import screen_idle_seconds
from audit.services import log_action


def home_url(user: object) -> str:
    """Where a user lands after signing in: a prescriber on the partner portal, staff
    on the staff home (Today)."""
    if getattr(user, "role", "") == Role.PRESCRIBER:
        return reverse("portal:home")
    return resolve_url(settings.LOGIN_REDIRECT_URL)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        # The user the form just signed in (or the one already signed in).
        return home_url(self.request.user)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        # The user the form authenticated, whom super() has just signed in.
        user = form.get_user()
        mark_password(self.request)
        # The password is only the first factor when an authenticator is set up.
        if has_confirmed_device(user):
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
    return home_url(request.user)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: AuthedRequest) -> HttpResponse:
    """Second step of sign-in: the code from the user's authenticator app."""
    if not has_confirmed_device(request.user):
        return redirect(_next_url(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = django_otp.match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            django_otp.login(request, device)
            mark_second_factor(request)
            log_action(actor_from(request), "auth.2fa_verified", request.user)
            return redirect(_next_url(request))
        log_action(actor_from(request), "auth.2fa_failed", request.user)
        form.add_error("token", "That code did not match. Wait for a new code and try again.")
    return render(request, "accounts/verify.html", {"form": form, "next": _next_url(request)})


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: AuthedRequest) -> HttpResponse:
    """Set up an authenticator app, or replace the one set up: scan the code, then
    prove it works once. Both need a recent re-authentication (accounts.reauth):
    right after signing in with the password that is already so."""
    if needs_verification(request.user):
        return redirect("accounts:verify")
    return _otp_setup(request)


@reauth_required
def _otp_setup(request: AuthedRequest) -> HttpResponse:
    device = pending_device(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            otp_device_confirm(actor=actor_from(request), device=device)
            django_otp.login(request, device)
            mark_second_factor(request)
            return redirect(_next_url(request))
        form.add_error("token", "That code did not match. Check the app and try the new code.")
    context = {
        "form": form,
        "qr": qr_data_uri(device.config_url),
        "secret": secret_for_display(device),
        "next": _next_url(request),
    }
    return render(request, "accounts/otp_setup.html", context)


# --- Re-authentication, the account page and the session ----------------------


@require_http_methods(["GET", "POST"])
@login_required
def reauth(request: AuthedRequest) -> HttpResponse:
    """Confirm it is you: the password again, and the authenticator's code when
    there is one (accounts.reauth). Not behind role_required: a user who still has
    to set up an authenticator comes here on the way to setting it up."""
    user = request.user
    if needs_verification(user):
        return redirect_to("accounts:verify", request)
    if not user.has_role(*STAFF_ROLES):
        raise PermissionDenied
    needs_code = has_confirmed_device(user)
    form = ReauthForm(request.POST or None, needs_code=needs_code)
    if request.method == "POST" and form.is_valid():
        failed = _reauth_failure(request, form)
        if failed is None:
            mark_password(request)
            if needs_code:
                mark_second_factor(request)
            log_action(actor_from(request), "auth.reauth", user)
            return redirect(_next_url(request))
        log_action(actor_from(request), "auth.reauth_failed", user, detail={"factor": failed})
        message = (
            "That password is not right."
            if failed == "password"
            else "That code did not match. Wait for a new code and try again."
        )
        form.add_error(failed if failed == "password" else "token", message)
    context = {"form": form, "next": _next_url(request), "minutes": settings.REAUTH_MINUTES}
    return render(request, "accounts/reauth.html", context)


def _reauth_failure(request: AuthedRequest, form: ReauthForm) -> str | None:
    """Which factor failed ("password" or "otp"), or None when both hold.

    The password goes through authenticate(), so that django-axes counts a wrong
    one and locks out a guesser exactly as at sign-in."""
    user = request.user
    checked = authenticate(
        request, username=user.get_username(), password=form.cleaned_data["password"]
    )
    if checked is None or checked.pk != user.pk:
        return "password"
    if form.needs_code and django_otp.match_token(user, form.cleaned_data["token"]) is None:
        return "otp"
    return None


@require_GET
@role_required(*STAFF_ROLES)
def account(request: AuthedRequest) -> HttpResponse:
    """Your account: two-factor sign-in, and signing out everywhere."""
    context = {
        "has_2fa": has_confirmed_device(request.user),
        "idle_minutes": settings.SESSION_IDLE_MINUTES,
        "absolute_hours": settings.SESSION_ABSOLUTE_HOURS,
    }
    return render(request, "accounts/account.html", context)


@require_POST
@role_required(*STAFF_ROLES)
def sign_out_everywhere(request: AuthedRequest) -> HttpResponse:
    """End every session of this user, this one included."""
    user = request.user
    user_sessions_revoke(actor=actor_from(request), user=user)
    logout(request)
    messages.success(request, "You have been signed out on every device. Sign in again here.")
    # The dashboard sends a signed-out visitor to sign in.
    return redirect("dashboard:home")


@require_POST
@role_required(*STAFF_ROLES)
def keep_alive(request: AuthedRequest) -> HttpResponse:
    """ "Stay signed in": any signed-in request restarts the idle timer
    (SESSION_SAVE_EVERY_REQUEST; accounts.session_store renews the stored expiry when
    SESSION_RENEW_SECONDS stale, and the page counts the shorter time); this one does
    nothing else. The idle warning's
    script asks for JSON; without the script the form posts here and comes back."""
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"idle_seconds": screen_idle_seconds()})
    return redirect(_next_url(request))
