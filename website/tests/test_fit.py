from __future__ import annotations

from typing import Any

from django.apps import apps

from pathways.testing import BaseTestCase
from website.fit import suggest
from website.models import Service
from website.services import services_install_defaults

URL = "/which-service-fits-me/"


def answers(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "goals": ["life"],
        "tried_before": "no",
        "ketamine": "no",
        "emdr": "no",
        "ride": "yes",
    }
    data.update(extra)
    return data


def slugs(data: dict[str, Any]) -> list[str]:
    return [s.slug for s in suggest(data)]


class SuggestTestCase(BaseTestCase):
    def test_it_suggests_everything_for_memories_when_open_to_both(self) -> None:
        data = answers(goals=["memories"], ketamine="yes", emdr="yes")

        assert slugs(data) == ["ka-emdr", "emdr", "kap", "individual-therapy"]

    def test_it_suggests_emdr_without_ketamine(self) -> None:
        data = answers(goals=["memories"], ketamine="no", emdr="yes")

        assert slugs(data) == ["emdr", "individual-therapy"]

    def test_it_treats_unsure_as_open(self) -> None:
        data = answers(goals=["memories"], ketamine="unsure", emdr="unsure")

        assert slugs(data) == ["ka-emdr", "emdr", "kap", "individual-therapy"]

    def test_it_suggests_kap_for_mood_when_open_to_ketamine(self) -> None:
        data = answers(goals=["mood", "anxiety"], ketamine="yes", emdr="yes")

        assert slugs(data) == ["kap", "individual-therapy"]

    def test_it_leaves_ketamine_out_when_not_wanted(self) -> None:
        data = answers(goals=["mood", "memories"], ketamine="no", emdr="no")

        assert slugs(data) == ["individual-therapy"]

    def test_it_suggests_individual_therapy_for_life_changes(self) -> None:
        data = answers(goals=["life"], ketamine="yes", emdr="yes")

        assert slugs(data) == ["individual-therapy"]

    def test_it_says_why_kap_after_other_help_did_not_work(self) -> None:
        tried = suggest(answers(goals=["mood"], ketamine="yes", tried_before="yes"))[0]
        curious = suggest(answers(goals=["mood"], ketamine="yes", tried_before="no"))[0]

        assert "tried other help without enough relief" in tried.reason
        assert "you are curious" in curious.reason

    def test_it_mentions_the_ride_home_unless_one_is_arranged(self) -> None:
        for ride, expected in (("yes", False), ("no", True), ("unsure", True)):
            with self.subTest(ride=ride):
                data = answers(goals=["memories"], ketamine="yes", emdr="yes", ride=ride)
                by_slug = {s.slug: s.reason for s in suggest(data)}
                assert ("ride home" in by_slug["ka-emdr"]) is expected
                assert ("ride home" in by_slug["kap"]) is expected
                assert "ride home" not in by_slug["emdr"]


class FitViewTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        services_install_defaults()

    def counts(self) -> dict[str, int]:
        return {model._meta.label: model._default_manager.count() for model in apps.get_models()}

    def test_it_shows_the_form(self) -> None:
        response = self.client.get(URL)

        self.assertContains(response, "Show my suggestions")
        self.assertContains(response, "This is not a diagnosis")
        assert response.context["suggestions"] == []

    def test_it_shows_suggestions_with_reasons(self) -> None:
        data = answers(goals=["memories"], ketamine="no", emdr="yes")

        response = self.client.post(URL, data)

        shown = [s["service"].slug for s in response.context["suggestions"]]
        assert shown == ["emdr", "individual-therapy"]
        self.assertContains(response, "not a diagnosis")
        self.assertContains(response, "You mentioned distressing memories and are open to EMDR")
        self.assertContains(response, 'href="/request-an-appointment/?service=emdr"')
        self.assertContains(response, "Your answers have not been saved.")

    def test_it_shows_field_errors(self) -> None:
        response = self.client.post(URL, {"goals": ["mood"], "ketamine": "maybe"})

        assert response.status_code == 200
        errors = response.context["form"].errors
        assert set(errors) == {"tried_before", "ketamine", "emdr", "ride"}
        self.assertContains(response, 'id="id_tried_before_error"')
        self.assertContains(response, "Please choose an answer.")
        assert response.context["suggestions"] == []

    def test_it_asks_for_at_least_one_goal(self) -> None:
        response = self.client.post(URL, answers(goals=[]))

        self.assertContains(response, "Choose at least one thing you would like help with.")

    def test_it_skips_unpublished_services(self) -> None:
        Service.objects.filter(slug="ka-emdr").update(published=False)
        data = answers(goals=["memories"], ketamine="yes", emdr="yes")

        response = self.client.post(URL, data)

        shown = [s["service"].slug for s in response.context["suggestions"]]
        assert shown == ["emdr", "kap", "individual-therapy"]

    def test_it_stores_nothing(self) -> None:
        before = self.counts()

        self.client.post(URL, answers(goals=["memories"], ketamine="yes", emdr="yes"))
        self.client.post(URL, {"goals": ["mood"]})

        assert self.counts() == before
