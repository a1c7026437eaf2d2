from __future__ import annotations

from pathways.testing import BaseTestCase, make_service


class ServiceTestCase(BaseTestCase):
    def test_it_shows_the_service(self) -> None:
        response = self.client.get("/services/kap/")

        self.assertContains(response, "<h1>Ketamine-Assisted Psychotherapy (KAP)</h1>", html=True)
        for text in (
            "What it is.",
            "Who it may help.",
            "How it works.",
            "What a session is like.",
        ):
            self.assertContains(response, text)
        self.assertContains(response, 'href="/request-an-appointment/?service=kap"')

    def test_it_shows_the_ride_home_rule_for_ketamine_services(self) -> None:
        self.service.involves_ketamine = True
        self.service.save()

        response = self.client.get("/services/kap/")

        self.assertContains(response, "Arrange a ride home.")
        self.assertContains(response, "What a dosing session is like")

    def test_it_leaves_the_rule_out_for_other_services(self) -> None:
        make_service("emdr", title="EMDR Therapy")

        response = self.client.get("/services/emdr/")

        self.assertNotContains(response, "Arrange a ride home.")
        self.assertNotContains(response, "Safety")

    def test_it_links_to_the_other_published_services(self) -> None:
        make_service("emdr", title="EMDR Therapy")
        make_service("draft", title="Draft Service", published=False)

        response = self.client.get("/services/kap/")

        assert [s.slug for s in response.context["others"]] == ["emdr"]
        self.assertNotContains(response, "Draft Service")

    def test_it_hides_an_unpublished_service(self) -> None:
        make_service("draft", published=False)

        assert self.client.get("/services/draft/").status_code == 404

    def test_it_answers_404_for_an_unknown_service(self) -> None:
        assert self.client.get("/services/no-such-thing/").status_code == 404
