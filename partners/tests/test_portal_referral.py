"""The portal referral page: only what the referral shares, and the prescriber's steps."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.safestring import mark_safe

from accounts.access import AuthedRequest
from accounts.models import User
from audit.models import AuditEvent
from clients.models import Diagnosis
from clients.panels import Panel
from intake.models import RequestNote
from partners.models import Referral, ReferralEvent, ReferralStatus, Step
from partners.tests.helpers import in_a_week, local_input
from pathways.testing import BaseTestCase, make_client, make_referral, make_request

# Two portal panels another app would list in PATHWAYS_PORTAL_PANELS.
SEEN: list[tuple[User, Referral]] = []


def hello_panel(request: AuthedRequest, referral: Referral) -> Panel | None:
    SEEN.append((request.user, referral))
    return Panel(template="partners/tests/panel.html", context={"word": "Hi"})


def no_panel(request: AuthedRequest, referral: Referral) -> Panel | None:
    return None


class PortalReferralTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(
            first_name="Ottilie",
            last_name="Brennan",
            date_of_birth=dt.date(1984, 5, 6),
            phone="(555) 010-0177",
            email="ottilie@example.com",
            address_line1="12 Hidden Lane",
            city="Staunton",
            emergency_contact_name="Ambrose Brennan",
            emergency_contact_phone="(555) 010-0999",
            escort_name="Philippa Rideout",
            assigned_therapist=self.therapist,
        )
        self.referral = make_referral(
            self.record,
            self.partner,
            self.therapist,
            reason="Treatment-resistant depression.",
            allergies=["Penicillin (Hives)"],
            prescreen={"hypertension": "yes", "pregnancy": "no"},
            prescreen_notes="Home BP readings run high.",
        )
        ReferralEvent.objects.create(referral=self.referral, step=Step.SENT, by=self.therapist)
        self.url = f"/partner/referrals/{self.referral.pk}/"
        self.client.force_login(self.prescriber)

    def test_it_shows_what_the_referral_shares(self) -> None:
        response = self.client.get(self.url)

        assert response.status_code == 200
        for text in (
            "Ottilie Brennan",
            "1984-05-06",
            "(555) 010-0177",
            "ottilie@example.com",
            "Treatment-resistant depression.",
            "F33.1 Major depressive disorder, recurrent",
            "Sertraline 100 mg daily",
            "Penicillin (Hives)",
            "Home BP readings run high.",
            "None yet",
            "Referral sent",
            "The pre-screen informs the prescriber; it does not decide eligibility.",
        ):
            self.assertContains(response, text)
        self.assertContains(
            response,
            "<p><strong>For the prescriber's attention:</strong> Uncontrolled hypertension.</p>",
            html=True,
        )

    def test_it_shows_nothing_the_referral_does_not_share(self) -> None:
        # The live record moved on after the referral was sent; the partner sees the copy.
        Diagnosis.objects.create(
            client=self.record,
            code="F60.3",
            description="Later diagnosis",
            added_by=self.therapist,
        )
        source = make_request(client=self.record, first_name="Ottilie", status="converted")
        RequestNote.objects.create(request=source, author=self.intake, body="Prefers mornings")

        response = self.client.get(self.url)

        for private in (
            "12 Hidden Lane",
            "Staunton",
            "Ambrose",
            "(555) 010-0999",
            "Philippa",
            "F60.3",
            "Later diagnosis",
            "Prefers mornings",
            'href="/staff/',
        ):
            self.assertNotContains(response, private)

    def test_it_never_lists_another_client(self) -> None:
        make_client(first_name="Ursula", last_name="Nakamura")
        other = make_client(first_name="Quentin", last_name="Marchetti")
        make_referral(other, self.partner2, self.therapist)

        response = self.client.get(self.url)

        for name in ("Ursula", "Nakamura", "Quentin", "Marchetti"):
            self.assertNotContains(response, name)

    def test_it_writes_an_audit_entry(self) -> None:
        self.client.get(self.url)

        audit = AuditEvent.objects.get(action="referral.view")
        assert audit.actor == self.prescriber
        assert audit.object_id == str(self.referral.pk)
        assert audit.client_id == self.record.pk

    def test_it_offers_the_steps_the_referral_allows(self) -> None:
        cases = {
            ReferralStatus.SENT: {"schedule", "close"},
            ReferralStatus.SCHEDULED: {"schedule", "evaluate", "close"},
            ReferralStatus.NEEDS_INFO: {"close"},
            ReferralStatus.INFO_PROVIDED: {"schedule", "evaluate", "close"},
            ReferralStatus.ELIGIBLE: {"close"},
            ReferralStatus.NOT_ELIGIBLE: {"close"},
            ReferralStatus.CLOSED: set(),
        }
        for status, forms in cases.items():
            with self.subTest(status=status):
                Referral.objects.filter(pk=self.referral.pk).update(status=status)

                html = self.client.get(self.url).content.decode()

                for action in ("schedule", "evaluate", "close"):
                    shown = f'action="/partner/referrals/{self.referral.pk}/{action}/"' in html
                    assert shown == (action in forms), action

    def test_it_schedules_in_practice_time(self) -> None:
        # 10:00 in New York on a winter day is 15:00 UTC.
        when = timezone.localtime(in_a_week()).replace(hour=10, minute=0)

        response = self.client.post(
            self.url + "schedule/", {"schedule-evaluation_at": local_input(when)}
        )

        assert response.status_code == 302
        self.referral.refresh_from_db()
        assert self.referral.evaluation_at == when
        assert timezone.localtime(self.referral.evaluation_at).hour == 10
        assert self.referral.status == ReferralStatus.SCHEDULED

    def test_it_says_beside_the_field_what_is_wrong_with_a_date(self) -> None:
        far = local_input(timezone.now() + dt.timedelta(days=800))
        cases = {
            "": "Enter the date and time of the evaluation.",
            "next tuesday": "Enter a date and time such as",
            "2026-13-45T99:99": "Enter a date and time such as",
            far: "Enter a date within a year of today.",
            # Clocks spring forward at 02:00 in New York: 02:30 does not exist that day.
            "2027-03-14T02:30": "could not be interpreted",
        }
        for typed, error in cases.items():
            with self.subTest(typed=typed):
                response = self.client.post(
                    self.url + "schedule/", {"schedule-evaluation_at": typed}
                )

                assert response.status_code == 200
                html = response.content.decode().replace("’", "'").replace("couldn't", "could not")
                assert 'id="id_schedule-evaluation_at_error"' in html
                assert error in html, html[html.index("id_schedule-evaluation_at_error") :][:300]
                if typed:
                    self.assertContains(response, f'value="{typed}"')
        assert Referral.objects.get(pk=self.referral.pk).status == ReferralStatus.SENT

    def test_it_needs_a_reason_or_a_question_with_those_results(self) -> None:
        Referral.objects.filter(pk=self.referral.pk).update(status=ReferralStatus.SCHEDULED)

        response = self.client.post(
            self.url + "evaluate/",
            {"evaluate-result": "not_eligible", "evaluate-question": "Typed by mistake here."},
        )

        assert response.status_code == 200
        self.assertContains(
            response,
            '<p class="error" id="id_evaluate-reason_error">'
            "Give the reason the client is not eligible.</p>",
            html=True,
        )
        self.assertContains(response, "Typed by mistake here.")
        self.assertContains(
            response,
            '<input type="radio" name="evaluate-result" value="not_eligible" '
            'id="id_evaluate-result_1" required checked>',
            html=True,
        )

        response = self.client.post(self.url + "evaluate/", {"evaluate-result": "needs_info"})
        self.assertContains(response, "Write the question for the therapist.")

        response = self.client.post(self.url + "evaluate/", {"evaluate-result": "maybe"})
        self.assertContains(response, 'id="id_evaluate-result_error"')
        assert Referral.objects.get(pk=self.referral.pk).status == ReferralStatus.SCHEDULED

    def test_it_records_not_eligible_with_its_reason(self) -> None:
        Referral.objects.filter(pk=self.referral.pk).update(status=ReferralStatus.SCHEDULED)

        self.client.post(
            self.url + "evaluate/",
            {"evaluate-result": "not_eligible", "evaluate-reason": "BP 168/101 at evaluation."},
        )

        self.referral.refresh_from_db()
        assert self.referral.status == ReferralStatus.NOT_ELIGIBLE
        assert self.referral.not_eligible_reason == "BP 168/101 at evaluation."
        self.assertContains(self.client.get(self.url), "BP 168/101 at evaluation.", count=2)

    def test_it_refuses_a_post_without_the_csrf_token(self) -> None:
        browser = HttpClient(enforce_csrf_checks=True)
        browser.force_login(self.prescriber)

        response = browser.post(self.url + "close/", {})

        assert response.status_code == 403
        assert Referral.objects.get(pk=self.referral.pk).status == ReferralStatus.SENT

    def rx_page(self, url: str | None, panels: list[str] | None = None) -> str:
        """The page, with portal_rx:new reversing to `url` (None: not there) and `panels`."""
        reverse = mock.patch(
            "partners.portal_views.reverse",
            **({"side_effect": NoReverseMatch} if url is None else {"return_value": url}),
        )
        rendered = mock.patch(
            "partners.portal_views.render_portal_panels",
            # Stand-ins for panels the real renderer returns already rendered (and
            # escaped); the HTML is this test's own constant text, not input.
            return_value=[mark_safe(html) for html in panels or []],  # noqa: S308
        )
        with reverse, rendered:
            return self.client.get(self.url).content.decode()

    def test_it_links_to_a_prescription_only_when_that_page_exists(self) -> None:
        Referral.objects.filter(pk=self.referral.pk).update(status=ReferralStatus.ELIGIBLE)
        link = '<a class="button" href="/partner/prescriptions/x/">Write a prescription</a>'

        assert "Write a prescription" not in self.rx_page(None)
        assert link in self.rx_page("/partner/prescriptions/x/")

    def test_it_does_not_link_to_a_prescription_before_the_client_is_eligible(self) -> None:
        for status in set(ReferralStatus.values) - {ReferralStatus.ELIGIBLE}:
            with self.subTest(status=status):
                Referral.objects.filter(pk=self.referral.pk).update(status=status)

                assert "Write a prescription" not in self.rx_page("/partner/prescriptions/x/")

    def test_it_leaves_the_link_to_a_prescriptions_panel_when_one_is_shown(self) -> None:
        Referral.objects.filter(pk=self.referral.pk).update(status=ReferralStatus.ELIGIBLE)

        html = self.rx_page("/partner/prescriptions/x/", ["<section>Prescriptions</section>"])

        assert "<section>Prescriptions</section>" in html
        assert 'href="/partner/prescriptions/x/"' not in html

    def test_it_renders_the_sections_other_apps_add(self) -> None:
        SEEN.clear()
        self.addCleanup(SEEN.clear)
        listed = override_settings(
            PATHWAYS_PORTAL_PANELS=[f"{__name__}.hello_panel", f"{__name__}.no_panel"]
        )
        listed.enable()
        self.addCleanup(listed.disable)
        template = "{{ word }} from a panel for referral {{ referral.pk }}"
        with mock.patch(
            "partners.portal_panels.render_to_string",
            side_effect=lambda name, context, request: template.replace(
                "{{ word }}", context["word"]
            ).replace("{{ referral.pk }}", str(context["referral"].pk)),
        ):
            response = self.client.get(self.url)

        self.assertContains(response, f"Hi from a panel for referral {self.referral.pk}")
        assert [(self.prescriber, self.referral)] == SEEN
