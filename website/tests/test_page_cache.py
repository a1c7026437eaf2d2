"""The public pages kept in memory (website/page_cache.py, issue 14 §3): rendered once
per version of the services they show, for visitors who are not signed in and have no
session; everyone else gets a page rendered for them."""

from __future__ import annotations

import re
import uuid
from typing import Any
from unittest import mock

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory, override_settings
from django.utils.safestring import SafeString

from intake.models import AppointmentRequest
from pathways.testing import BaseTestCase, make_service
from website import page_cache
from website.models import Service
from website.page_cache import ALIAS, cached_form_page, cached_fragment, cached_page

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN = re.compile(r'name="token" value="([^"]+)"')
REQUEST_ANSWERS = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.com",
    "phone": "(555) 010-0123",
    "preferred_contact": "email",
    "reason": "Asking about KAP.",
    "consent_to_contact": "on",
    "not_emergency_ack": "on",
}


def _tokens(response: Any) -> tuple[str, str]:
    """The submission token and the CSRF token of a form page."""
    html = response.content.decode()
    token, csrf = TOKEN.search(html), CSRF.search(html)
    assert token is not None
    assert csrf is not None
    return token.group(1), csrf.group(1)


class PageCacheTestCase(BaseTestCase):
    def setUp(self) -> None:
        caches[ALIAS].clear()

    @override_settings(PUBLIC_PAGE_RECHECK_SECONDS=60)
    def test_it_renders_the_home_page_once_for_plain_visitors(self) -> None:
        first = self.client.get("/")
        with self.assertNumQueries(0):  # the published services are kept too
            again = self.client.get("/")

        assert [t.name for t in first.templates][:1] == ["website/home.html"]
        assert again.templates == []
        assert again.content == first.content
        assert again["Content-Type"] == first["Content-Type"]

    def test_it_renders_a_service_page_once_for_plain_visitors(self) -> None:
        first = self.client.get("/services/kap/")
        again = self.client.get("/services/kap/")

        assert first.templates
        assert again.templates == []
        self.assertContains(again, "<h1>Ketamine-Assisted Psychotherapy (KAP)</h1>", html=True)

    def test_it_shows_an_edit_on_the_next_request(self) -> None:
        self.client.get("/")
        self.client.get("/services/kap/")
        self.service.title = "Ketamine-Assisted Psychotherapy, revised"
        self.service.save()

        self.assertContains(self.client.get("/"), "Ketamine-Assisted Psychotherapy, revised")
        self.assertContains(
            self.client.get("/services/kap/"), "Ketamine-Assisted Psychotherapy, revised"
        )

    @override_settings(PUBLIC_PAGE_RECHECK_SECONDS=2)
    def test_it_reads_the_services_again_after_the_recheck_seconds(self) -> None:
        with mock.patch("website.page_cache._clock", return_value=100.0):
            self.client.get("/")
        # An edit another process made (here: an update, which sends no signal).
        Service.objects.filter(pk=self.service.pk).update(title="Renamed elsewhere")

        with mock.patch("website.page_cache._clock", return_value=101.9):
            self.assertNotContains(self.client.get("/"), "Renamed elsewhere")
        with mock.patch("website.page_cache._clock", return_value=102.0):
            self.assertContains(self.client.get("/"), "Renamed elsewhere")

    @override_settings(PUBLIC_PAGE_RECHECK_SECONDS=60)
    def test_it_never_keeps_what_it_read_before_a_change(self) -> None:
        # Another thread saves a service while this one reads the services.
        published = Service.objects.published

        def read_then_saved_elsewhere() -> Any:
            rows = list(published())
            page_cache.forget_services()  # what the other thread's save does
            return rows

        with mock.patch.object(Service.objects, "published", read_then_saved_elsewhere):
            page_cache.published_services()
        with self.assertNumQueries(1):
            page_cache.published_services()

    def test_it_forgets_the_services_again_once_a_save_commits(self) -> None:
        page_cache.published_services()
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            self.service.save()
        page_cache.published_services()  # as another thread before the commit

        assert page_cache.forget_services in callbacks
        with self.captureOnCommitCallbacks(execute=True):
            self.service.save()
        with self.assertNumQueries(1):
            page_cache.published_services()

    @override_settings(PUBLIC_PAGE_RECHECK_SECONDS=0)
    def test_it_reads_the_services_on_every_request_at_zero(self) -> None:
        self.client.get("/")
        with self.assertNumQueries(1):
            self.client.get("/")
        Service.objects.filter(pk=self.service.pk).update(title="Renamed elsewhere")

        self.assertContains(self.client.get("/"), "Renamed elsewhere")

    def test_it_forgets_the_services_when_one_is_deleted(self) -> None:
        emdr = make_service("emdr", title="EMDR Therapy")
        self.assertContains(self.client.get("/"), "EMDR Therapy")

        emdr.delete()

        self.assertNotContains(self.client.get("/"), "EMDR Therapy")
        assert self.client.get("/services/emdr/").status_code == 404

    def test_it_shows_a_new_service_and_drops_an_unpublished_one(self) -> None:
        self.client.get("/")
        make_service("emdr", title="EMDR Therapy")
        self.assertContains(self.client.get("/"), "EMDR Therapy")

        self.service.published = False
        self.service.save()
        self.assertNotContains(self.client.get("/"), "Ketamine-Assisted Psychotherapy (KAP)")
        assert self.client.get("/services/kap/").status_code == 404

    def test_it_keeps_each_service_page_apart(self) -> None:
        make_service("emdr", title="EMDR Therapy")
        self.client.get("/services/kap/")

        response = self.client.get("/services/emdr/")

        self.assertContains(response, "<h1>EMDR Therapy</h1>", html=True)

    def test_it_renders_for_a_signed_in_user_every_time(self) -> None:
        self.client.get("/")
        self.client.force_login(self.therapist)

        response = self.client.get("/")

        assert response.templates

    def test_it_renders_for_a_visitor_with_a_session_every_time(self) -> None:
        self.client.get("/")
        session = self.client.session
        session["seen"] = True
        session.save()

        response = self.client.get("/")

        assert response.templates

    def test_it_forgets_the_pages_when_a_setting_changes(self) -> None:
        self.client.get("/")

        with override_settings(PRACTICE_NAME="Harbour Counselling"):
            response = self.client.get("/")

        self.assertContains(response, "Harbour Counselling")

    def test_it_never_keeps_a_page_that_carries_a_csrf_token(self) -> None:
        request = RequestFactory().get("/")
        request.user = AnonymousUser()

        def render_form() -> HttpResponse:
            return HttpResponse(f"<input value='{get_token(request)}'>")

        cached_page(request, name="form", shown=[], render_page=render_form)

        assert caches[ALIAS].get("public-page:form") is None


class FormFieldsCacheTestCase(BaseTestCase):
    """A blank public form's fields are rendered once per version of the services; the
    page around them, with its CSRF and submission tokens, for each visitor."""

    def setUp(self) -> None:
        caches[ALIAS].clear()

    def _field_renders(self, url: str) -> int:
        response = self.client.get(url)
        assert response.status_code == 200
        return [t.name for t in response.templates].count("website/_request_fields.html")

    @override_settings(PUBLIC_PAGE_RECHECK_SECONDS=60)
    def test_it_renders_the_request_forms_page_once_for_plain_visitors(self) -> None:
        assert self._field_renders("/request-an-appointment/") == 1
        with self.assertNumQueries(0):  # the published services are kept too
            again = self.client.get("/request-an-appointment/")

        assert again.templates == []
        self.assertContains(again, 'name="first_name"')
        self.assertContains(again, "Ketamine-Assisted Psychotherapy (KAP)")

    def test_it_gives_each_visitor_their_own_tokens(self) -> None:
        first = self.client.get("/request-an-appointment/")
        self.client.cookies.clear()
        again = self.client.get("/request-an-appointment/")

        first_token, first_csrf = _tokens(first)
        token, csrf = _tokens(again)
        assert token != first_token
        assert csrf != first_csrf
        self.assertNotContains(again, first_token)
        self.assertNotContains(again, first_csrf)
        self.assertNotContains(again, page_cache.TOKEN_MARK)
        self.assertNotContains(again, page_cache.CSRF_MARK)
        assert "csrftoken" in again.cookies  # get_token asked for the cookie

    def test_it_takes_a_request_from_a_kept_page_with_the_csrf_check_on(self) -> None:
        visitor = Client(enforce_csrf_checks=True)
        visitor.get("/request-an-appointment/")  # the page is kept
        visitor.cookies.clear()
        token, csrf = _tokens(visitor.get("/request-an-appointment/"))

        response = visitor.post(
            "/request-an-appointment/",
            {**REQUEST_ANSWERS, "token": token, "csrfmiddlewaretoken": csrf},
        )

        assert response.status_code == 302
        assert AppointmentRequest.objects.get().submission_token == uuid.UUID(token)

    def test_it_keeps_no_visitors_token_in_the_kept_page(self) -> None:
        response = self.client.get("/request-an-appointment/")
        token, csrf = _tokens(response)

        kept = caches[ALIAS].get("public-page-form:request-fields:")
        assert kept is not None
        assert token not in kept[1]
        assert csrf not in kept[1]
        assert kept[1].count(page_cache.TOKEN_MARK) == 1

    def test_it_renders_the_form_for_a_visitor_with_a_session_every_time(self) -> None:
        self.client.get("/request-an-appointment/")
        self.client.cookies["sessionid"] = "not-a-real-session"

        again = self.client.get("/request-an-appointment/")

        assert "website/request.html" in [t.name for t in again.templates]
        token, _csrf = _tokens(again)
        assert token == str(again.context["form"]["token"].value())

    def test_it_never_keeps_a_form_page_without_its_stand_ins(self) -> None:
        pages = {
            "no CSRF token": "<input value='{token}'>",
            "no submission token": "<input value='{csrf}'>",
            "the submission token twice": "{token}{token}{csrf}",
        }
        for case, page in pages.items():
            with self.subTest(case):
                request = RequestFactory().get("/")
                request.user = AnonymousUser()
                given: list[tuple[str, str | None]] = []

                def render_form(
                    token: str, csrf: str | None, page: str = page, given: list[Any] = given
                ) -> HttpResponse:
                    given.append((token, csrf))
                    return HttpResponse(page.format(token=token, csrf=csrf))

                response = cached_form_page(request, name="odd", shown=[], render_page=render_form)

                assert caches[ALIAS].get("public-page-form:odd") is None
                assert given[-1][1] is None  # rendered again with the visitor's own tokens
                assert page_cache.TOKEN_MARK not in response.content.decode()
                assert page_cache.CSRF_MARK not in response.content.decode()

    def test_it_never_keeps_fields_that_hold_the_visitors_token(self) -> None:
        cached_fragment(
            name="leaky",
            shown=[],
            render_fragment=lambda: SafeString("<input value='secret-1'>"),
            private=["secret-1"],
        )

        assert caches[ALIAS].get("public-page-fragment:leaky") is None

    def test_it_keeps_the_fields_with_a_service_chosen_apart(self) -> None:
        make_service("emdr", title="EMDR Therapy")
        self.client.get("/request-an-appointment/")

        chosen = self.client.get("/request-an-appointment/?service=emdr")

        self.assertContains(chosen, "EMDR Therapy</option>")
        option = chosen.content.decode().split("EMDR Therapy</option>")[0].rsplit("<option", 1)[1]
        assert "selected" in option

    def test_it_offers_a_new_service_on_the_next_request(self) -> None:
        self.client.get("/request-an-appointment/")
        make_service("emdr", title="EMDR Therapy")

        response = self.client.get("/request-an-appointment/")

        self.assertContains(response, "EMDR Therapy</option>")

    def test_it_shows_what_was_typed_when_a_post_is_refused(self) -> None:
        self.client.get("/request-an-appointment/")
        token, _csrf = _tokens(self.client.get("/request-an-appointment/"))

        response = self.client.post(
            "/request-an-appointment/",
            {"token": token, "first_name": "Ada", "email": "not-an-address"},
        )

        assert response.status_code == 200
        self.assertContains(response, 'value="Ada"')
        self.assertContains(response, "Enter your last name.")
        self.assertContains(response, "not-an-address")
        self.client.cookies.clear()
        self.assertNotContains(self.client.get("/request-an-appointment/"), "Ada")

    def test_it_renders_the_contact_forms_page_once(self) -> None:
        first = self.client.get("/contact/")
        again = self.client.get("/contact/")

        assert "website/_contact_fields.html" in [t.name for t in first.templates]
        assert again.templates == []
        self.assertContains(again, 'name="message"')
        assert _tokens(again)[0] != _tokens(first)[0]


@pytest.mark.parametrize("value", [-1, 61])
def test_it_refuses_a_recheck_outside_0_to_60_seconds(value: int) -> None:
    with (
        override_settings(PUBLIC_PAGE_RECHECK_SECONDS=value),
        pytest.raises(ImproperlyConfigured, match="PUBLIC_PAGE_RECHECK_SECONDS"),
    ):
        apps.get_app_config("website").ready()


@pytest.mark.parametrize("value", [0, 60])
def test_it_accepts_a_recheck_from_0_to_60_seconds(value: int) -> None:
    with override_settings(PUBLIC_PAGE_RECHECK_SECONDS=value):
        apps.get_app_config("website").ready()
