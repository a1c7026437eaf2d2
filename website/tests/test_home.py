from __future__ import annotations

from pathways.testing import BaseTestCase, make_service


class HomeTestCase(BaseTestCase):
    def test_it_lists_the_published_services_in_order(self) -> None:
        make_service("emdr", title="EMDR Therapy", order=5)
        make_service("draft", title="Draft Service", published=False)

        response = self.client.get("/")

        titles = [s.title for s in response.context["services"]]
        assert titles == ["EMDR Therapy", "Ketamine-Assisted Psychotherapy (KAP)"]
        self.assertContains(response, 'href="/services/emdr/"')
        self.assertContains(response, "kap summary")
        self.assertNotContains(response, "Draft Service")

    def test_it_says_so_when_there_are_no_services(self) -> None:
        self.service.published = False
        self.service.save()

        response = self.client.get("/")

        self.assertContains(response, "Service descriptions are on their way")

    def test_it_links_to_the_fit_questionnaire_and_the_request_form(self) -> None:
        response = self.client.get("/")

        self.assertContains(response, 'href="/which-service-fits-me/"')
        self.assertContains(response, 'href="/request-an-appointment/"')

    def test_it_is_cacheable_for_an_anonymous_visitor(self) -> None:
        response = self.client.get("/")

        assert "no-store" not in response.get("Cache-Control", "")
