"""The public site: no sign-in, and nothing here reveals one person's data to another."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods

from accounts.actor import Actor, actor_from
from common.ip import client_ip
from common.ratelimit import ip_hash, serialized
from intake import ratelimit
from intake.models import AppointmentRequest, ContactMessage
from intake.services import IntakeError, message_submit, request_submit
from website.fit import FitForm, suggest
from website.forms import AppointmentRequestForm, ContactForm, PublicForm
from website.models import Service
from website.page_cache import (
    cached_form_page,
    cached_fragment,
    cached_page,
    published_services,
)

RATE_LIMITED = (
    "We have received several messages from your connection in the last hour, so we have "
    "paused new ones for a while. Please call us instead; nothing you typed has been lost."
)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    services = published_services()
    return cached_page(
        request,
        name="home",
        shown=services,
        render_page=lambda: render(request, "website/home.html", {"services": services}),
    )


@require_GET
def service(request: HttpRequest, slug: str) -> HttpResponse:
    # The page shows the service and the others (kept: see published_services).
    published = published_services()
    svc = next((s for s in published if s.slug == slug), None)
    if svc is None:
        raise Http404("No such service.")
    others = [s for s in published if s.pk != svc.pk]
    return cached_page(
        request,
        name=f"service:{svc.pk}",
        shown=published,
        render_page=lambda: render(
            request, "website/service.html", {"service": svc, "others": others}
        ),
    )


@require_http_methods(["GET", "POST"])
def fit(request: HttpRequest) -> HttpResponse:
    form = FitForm(request.POST or None)
    suggestions = []
    if request.method == "POST" and form.is_valid():
        by_slug = {s.slug: s for s in Service.objects.published()}
        suggestions = [
            {"service": by_slug[s.slug], "reason": s.reason}
            for s in suggest(form.cleaned_data)
            if s.slug in by_slug
        ]
    return render(request, "website/fit.html", {"form": form, "suggestions": suggestions})


# Stores what the form holds: (who, the form's token, the hashed address).
Submit = Callable[[Actor, uuid.UUID, str], object]


@dataclass(frozen=True)
class FormPage:
    """A public form's page: the page template, and the template of its fields alone
    (rendered once for a blank form, see website.page_cache.cached_fragment)."""

    template: str
    fields: str

    def render(
        self,
        request: HttpRequest,
        form: PublicForm,
        *,
        fields: SafeString | None = None,
        status: int = 200,
        **extra: object,
    ) -> HttpResponse:
        # A bound form (a POST with errors) shows what was typed: rendered each time.
        if fields is None:
            fields = render_to_string(self.fields, {"form": form})
        context = {"form": form, "fields": fields, **extra}
        return render(request, self.template, context, status=status)

    def render_blank(
        self,
        request: HttpRequest,
        form_class: type[PublicForm],
        *,
        name: str,
        shown: list[Service],
        initial: dict[str, object] | None = None,
        **extra: object,
    ) -> HttpResponse:
        """A blank form (as `name`, for the rows `shown`): for a plain visitor the page
        kept with stand-ins for the tokens (website.page_cache.cached_form_page); its
        fields kept rendered, never with a submission token in them."""

        def render_page(token: str, csrf_token: str | None) -> HttpResponse:
            form = form_class(initial={**(initial or {}), "token": token})
            fields = cached_fragment(
                name=name,
                shown=shown,
                render_fragment=lambda: render_to_string(self.fields, {"form": form}),
                private=[token],
            )
            context = {"form": form, "fields": fields, **extra}
            if csrf_token is not None:  # above the context processor's own
                context["csrf_token"] = csrf_token
            return render(request, self.template, context)

        return cached_form_page(request, name=name, shown=shown, render_page=render_page)


REQUEST_PAGE = FormPage("website/request.html", "website/_request_fields.html")
CONTACT_PAGE = FormPage("website/contact.html", "website/_contact_fields.html")


def _public_form_post(
    request: HttpRequest,
    form: PublicForm,
    model: type[AppointmentRequest] | type[ContactMessage],
    submit: Submit,
    page: FormPage,
    done: str,
) -> HttpResponse:
    """The shared POST path of the public forms: honeypot, validation, rate limit, store."""
    if form.is_bot():
        # Look like success, so the bot learns nothing; store nothing.
        return redirect(done)
    if not form.is_valid():
        return page.render(request, form)
    token = form.cleaned_data["token"]
    hashed_ip = ip_hash(client_ip(request))
    # Count and store under one lock per address, or parallel posts all pass the count.
    with serialized(hashed_ip):
        # A resubmit of a form already stored is let through: it stores nothing new.
        already_stored = model.objects.filter(submission_token=token).exists()
        if not already_stored and ratelimit.is_limited(hashed_ip):
            form.add_error(None, RATE_LIMITED)
            return page.render(request, form, status=429)
        try:
            submit(actor_from(request), token, hashed_ip)
        except IntakeError as exc:
            # The form's checks come first, so this is rare; keep what was typed.
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            return page.render(request, form)
    return redirect(done)


@require_http_methods(["GET", "POST"])
def request_appointment(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = AppointmentRequestForm(request.POST)
        return _public_form_post(
            request,
            form,
            AppointmentRequest,
            lambda actor, token, hashed_ip: request_submit(
                actor=actor, details=form.details(), token=token, ip_hash=hashed_ip
            ),
            REQUEST_PAGE,
            "website:request_received",
        )
    # The services the form offers, which also fingerprint its kept fields.
    services = published_services()
    slug = request.GET.get("service", "")
    preselected = next((s for s in services if slug and s.slug == slug), None)
    return REQUEST_PAGE.render_blank(
        request,
        AppointmentRequestForm,
        name=f"request-fields:{preselected.pk if preselected else ''}",
        shown=services,
        initial={"service": preselected.pk} if preselected else None,
        preselected=preselected,
    )


@require_GET
def request_received(request: HttpRequest) -> HttpResponse:
    return render(request, "website/request_received.html")


@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ContactForm(request.POST)
        return _public_form_post(
            request,
            form,
            ContactMessage,
            lambda actor, token, hashed_ip: message_submit(
                actor=actor, details=form.details(), token=token, ip_hash=hashed_ip
            ),
            CONTACT_PAGE,
            "website:contact_sent",
        )
    return CONTACT_PAGE.render_blank(request, ContactForm, name="contact-fields", shown=[])


@require_GET
def contact_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "website/contact_sent.html")
