"""The public pages kept in memory (website/page_cache.py, issue 14 §3): rendered once
per version of the services they show, for visitors who are not signed in and have no
session; everyone else gets a page rendered for them."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory, override_settings

from pathways.testing import BaseTestCase, make_service
from website.page_cache import ALIAS, cached_page


class PageCacheTestCase(BaseTestCase):
    def setUp(self) -> None:
        caches[ALIAS].clear()

    def test_it_renders_the_home_page_once_for_plain_visitors(self) -> None:
        first = self.client.get("/")
        with self.assertNumQueries(1):  # the published services, for the fingerprint
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
