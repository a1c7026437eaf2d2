"""Consents: sending a signing link, the signed copy, revoking, and the client's signing page."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import CLIENT_ROLES, CLINICAL_ROLES, AuthedRequest, role_required
from accounts.actor import Actor, actor_from
from accounts.models import User
from audit.services import log_action
from clients.access import clients_for_user, get_client_for_user
from common.ip import client_ip
from common.qr import qr_svg
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
                return redirect("clients:tab", pk=client.pk, tab="consents")
            # No e-mail: show the link in this response, once. It is never put in a
            # redirect URL, a message or a log, and cannot be shown again.
            return render(
                request,
                "consents/link_created.html",
                {
                    "client": client,
                    "consent_request": consent_request,
                    "link": services.sign_url(token),
                    "qr": qr_svg(services.sign_url(token), label="QR code of the signing link"),
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


@require_GET
@role_required(*CLIENT_ROLES)
def pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    """The signed copy as a PDF, to open and print (audited as "consent.copy")."""
    signed = _get_signed_for_user(request, pk)
    document = services.consent_copy_pdf(
        actor=actor_from(request), signed=signed, purpose="staff_print"
    )
    return _pdf_response(document, f"signed-consent-{signed.pk}.pdf", inline=True)


def _pdf_response(document: bytes, filename: str, *, inline: bool) -> HttpResponse:
    response = HttpResponse(document, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    # The file name says what it is, never whose it is.
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


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
    consents_tab = reverse("clients:tab", args=[consent_request.client_id, "consents"])
    if request.POST.get("confirm") != "yes":
        # A cancelled link cannot be reopened: the panel's confirm asks first.
        messages.error(request, "Nothing was cancelled: confirm to cancel the link.")
        return redirect(consents_tab)
    try:
        services.consent_request_cancel(actor=actor_from(request), consent_request=consent_request)
    except services.ConsentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The signing link was cancelled; it no longer opens.")
    return redirect(consents_tab)


# --- Public: the client's signing page ---------------------------------------

# The browser that signed may download its copy for CONSENT_COPY_MINUTES: the signed
# consents' ids and until when, kept in that browser's session (never in the URL).
COPY_SESSION_KEY = "consent_copies"
DEFAULT_COPY_MINUTES = 30


def _copy_minutes() -> int:
    """How long the copy stays downloadable: CONSENT_COPY_MINUTES, but never longer than
    the session that holds it lasts without a request (SESSION_IDLE_MINUTES)."""
    wanted = int(getattr(settings, "CONSENT_COPY_MINUTES", DEFAULT_COPY_MINUTES))
    return min(wanted, int(getattr(settings, "SESSION_IDLE_MINUTES", wanted)))


def _copies_in_session(request: HttpRequest) -> dict[str, float]:
    """The copies this browser may still download: {signed id: until (epoch seconds)}."""
    stored = request.session.get(COPY_SESSION_KEY)
    if not isinstance(stored, dict):
        return {}
    now = time.time()
    return {
        str(pk): until
        for pk, until in stored.items()
        if isinstance(until, int | float) and until > now
    }


def _remember_copy(request: HttpRequest, signed: SignedConsent) -> None:
    copies = _copies_in_session(request)
    copies[str(signed.pk)] = time.time() + _copy_minutes() * 60
    request.session[COPY_SESSION_KEY] = copies


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
            signed = services.consent_sign(
                actor=signer,
                consent_request=consent_request,
                typed_name=form.cleaned_data["typed_name"],
                agreed=form.cleaned_data["agreed"],
                staff_on_device=staff,
            )
        except services.LinkClosedError:
            return _link_closed(request, 410)
        except services.NameMismatchError as exc:
            form.add_error("typed_name", str(exc))
        except services.ConsentError as exc:
            form.add_error(None, str(exc))
        else:
            _remember_copy(request, signed)
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
    copies = SignedConsent.objects.filter(pk__in=_copies_in_session(request)).order_by(
        "-signed_at"
    )
    return render(
        request,
        "consents/done.html",
        {
            "copies": [(c.pk, local_long(c.signed_at)) for c in copies],
            "copy_minutes": _copy_minutes(),
        },
    )


@require_GET
def copy(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF of what this browser has just signed; only the browser that signed, and
    only for CONSENT_COPY_MINUTES after (its session holds the id). Audited."""
    request.phi_page = True  # type: ignore[attr-defined]  # read by common.middleware
    signed = None
    if str(pk) in _copies_in_session(request):
        signed = (
            SignedConsent.objects.select_related("client", "document", "partner")
            .filter(pk=pk)
            .first()
        )
    if signed is None:
        return render(
            request, "consents/copy_gone.html", {"copy_minutes": _copy_minutes()}, status=404
        )
    document = services.consent_copy_pdf(
        actor=Actor.client_on_link(client_ip(request)), signed=signed, purpose="client_download"
    )
    return _pdf_response(document, "signed-consent.pdf", inline=False)
