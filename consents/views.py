"""Consents: sending a signing link, the signed copy, revoking, and the client's signing page."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import CLIENT_ROLES, CLINICAL_ROLES, AuthedRequest, role_required
from accounts.actor import Actor, actor_from
from accounts.models import User
from audit.services import log_action
from clients.access import clients_for_user, get_client_for_user
from common.ip import client_ip
from common.timefmt import local_long
from consents import services
from consents.forms import RevokeForm, SendForm, SignForm
from consents.models import ConsentRequest, SignedConsent


def _signed_for_user(request: AuthedRequest) -> QuerySet[SignedConsent]:
    return SignedConsent.objects.select_related(
        "client", "document", "partner", "revocation__recorded_by"
    ).filter(client__in=clients_for_user(request))


def _get_signed_for_user(request: AuthedRequest, pk: int) -> SignedConsent:
    """The signed consent, or 404 if its client is not this user's to see."""
    return get_object_or_404(_signed_for_user(request), pk=pk)


def _get_consent_request_for_user(request: AuthedRequest, pk: int) -> ConsentRequest:
    qs = ConsentRequest.objects.select_related("client").filter(
        client__in=clients_for_user(request)
    )
    return get_object_or_404(qs, pk=pk)


# --- Staff ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*CLINICAL_ROLES)
def send(request: AuthedRequest, client_id: int) -> HttpResponse:
    client = get_client_for_user(request, client_id)
    form = SendForm(request.POST or None)
    actor = actor_from(request)
    if request.method == "POST" and form.is_valid():
        kind, partner = form.cleaned_data["kind"], form.cleaned_data["partner"]
        try:
            consent_request, token = services.consent_request_send(
                actor=actor, client=client, kind=kind, partner=partner
            )
        except services.ConsentError as exc:
            form.add_error("kind", str(exc))
        else:
            if client.email:
                messages.success(
                    request,
                    "The signing link was sent to the client's e-mail. It expires "
                    f"{local_long(consent_request.expires_at)}.",
                )
                return redirect(client)
            # No e-mail: show the link in this response, once. It is never put in a
            # redirect URL, a message or a log, and cannot be shown again.
            return render(
                request,
                "consents/link_created.html",
                {
                    "client": client,
                    "consent_request": consent_request,
                    "link": services.sign_url(token),
                    "expires": local_long(consent_request.expires_at),
                },
            )
    # The page names the client, so showing it is a read.
    log_action(actor, "client.view", client, client=client, detail={"page": "consents:send"})
    return render(request, "consents/send.html", {"client": client, "form": form})


def _detail_context(
    request: AuthedRequest, signed: SignedConsent, revoke_form: RevokeForm | None = None
) -> dict[str, object]:
    return {
        "signed": signed,
        "client": signed.client,
        "revocation": getattr(signed, "revocation", None),
        "can_revoke": request.user.role in CLINICAL_ROLES,
        "revoke_form": revoke_form or RevokeForm(),
    }


@require_GET
@role_required(*CLIENT_ROLES)
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    signed = _get_signed_for_user(request, pk)
    log_action(actor_from(request), "consent.view", signed, client=signed.client)
    return render(request, "consents/detail.html", _detail_context(request, signed))


@require_POST
@role_required(*CLINICAL_ROLES)
def revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    signed = _get_signed_for_user(request, pk)
    form = RevokeForm(request.POST)
    actor = actor_from(request)
    if form.is_valid():
        try:
            services.consent_revoke(actor=actor, signed=signed, reason=form.cleaned_data["reason"])
        except services.ConsentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Consent revoked. It is no longer in force.")
        return redirect("consents:detail", pk=signed.pk)
    # Show the copy again with the error beside the field and the typed reason kept.
    log_action(actor, "consent.view", signed, client=signed.client)
    return render(request, "consents/detail.html", _detail_context(request, signed, form))


@require_POST
@role_required(*CLINICAL_ROLES)
def cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    consent_request = _get_consent_request_for_user(request, pk)
    try:
        services.consent_request_cancel(actor=actor_from(request), consent_request=consent_request)
    except services.ConsentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The signing link was cancelled; it no longer opens.")
    return redirect(consent_request.client)


# --- Public: the client's signing page ---------------------------------------


def _link_closed(request: HttpRequest, status: int) -> HttpResponse:
    return render(request, "consents/link_closed.html", status=status)


def _staff_on_device(request: HttpRequest) -> User | None:
    """A staff session on the device the client signs on (a tablet in the office)."""
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


@require_http_methods(["GET", "POST"])
def sign(request: HttpRequest, token: str) -> HttpResponse:
    # The page shows what one client is asked to sign: never cache it.
    request.phi_page = True  # type: ignore[attr-defined]  # read by common.middleware
    consent_request = (
        ConsentRequest.objects.by_token(token)
        .select_related("document", "partner", "client")
        .first()
    )
    if consent_request is None:
        return _link_closed(request, 404)
    if not consent_request.is_open():
        return _link_closed(request, 410)
    form = SignForm(request.POST or None)
    # The client acts, through the link: never the staff user the device may hold.
    signer = Actor.client_on_link(client_ip(request))
    staff = _staff_on_device(request)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_sign(
                actor=signer,
                consent_request=consent_request,
                typed_name=form.cleaned_data["typed_name"],
                agreed=form.cleaned_data["agreed"],
                staff_on_device=staff,
            )
        except services.LinkClosedError:
            return _link_closed(request, 410)
        except services.ConsentError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("consent_sign:done")
    if request.method == "GET":
        services.consent_request_log_open(
            actor=signer, consent_request=consent_request, staff_on_device=staff
        )
    return render(
        request,
        "consents/sign.html",
        {
            "document": consent_request.document,
            "partner": consent_request.partner,
            "form": form,
        },
    )


@require_GET
def done(request: HttpRequest) -> HttpResponse:
    request.phi_page = True  # type: ignore[attr-defined]  # read by common.middleware
    return render(request, "consents/done.html")
