"""Requests to amend the client record (45 CFR 164.526; ONC 170.315(d)(4)):
recorded, extended once, accepted with a link to the change or denied on a stated
basis, with the client's disagreement and the practice's rebuttal appended."""

from __future__ import annotations

import datetime as dt

from django.test import override_settings
from django.utils import timezone

from accounts.actor import Actor
from accounts.models import User
from amendments import services
from amendments.models import AmendmentRequest, AmendmentStatus, DenialBasis, RecordPart
from amendments.panels import amendment_entries, amendments_panel
from audit.models import AuditEvent
from clients.models import Client
from pathways.testing import BaseTestCase, make_client, request_for


def today() -> dt.date:
    return timezone.localdate()


class AmendmentTestCase(BaseTestCase):
    client_record: Client

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.client_record = make_client(first_name="Avery", assigned_therapist=cls.therapist)

    def actor(self, user: User | None = None) -> Actor:
        return Actor.for_user(user or self.therapist)

    def receive(self, received_on: dt.date | None = None) -> AmendmentRequest:
        return services.amendment_receive(
            actor=Actor.for_user(self.intake),
            client=self.client_record,
            received_on=received_on or today(),
            concerns=RecordPart.DIAGNOSES,
            reference="Referral diagnoses",
            requested_change="The referral lists a diagnosis I never had.",
        )

    def deny(self, amendment: AmendmentRequest) -> AmendmentRequest:
        return services.amendment_deny(
            actor=self.actor(), request=amendment, basis=DenialBasis.ACCURATE, note=""
        )

    def entries(self, amendment: AmendmentRequest) -> list[tuple[str, dict[str, object]]]:
        events = AuditEvent.objects.filter(object_id=str(amendment.pk)).order_by("id")
        return [
            (e.action, e.detail)
            for e in events
            if e.object_type == "amendments.amendmentrequest" and e.action != "amendment.view"
        ]


class ServiceTests(AmendmentTestCase):
    def test_it_is_due_sixty_days_after_receipt(self) -> None:
        received = today() - dt.timedelta(days=10)

        amendment = self.receive(received)

        self.assertEqual(amendment.status, AmendmentStatus.RECEIVED)
        self.assertEqual(amendment.due_on, received + dt.timedelta(days=60))

    def test_it_extends_once_by_thirty_days_with_a_reason(self) -> None:
        received = today() - dt.timedelta(days=10)
        amendment = self.receive(received)

        extended = services.amendment_extend(
            actor=self.actor(), request=amendment, reason="Waiting for the referrer's notes."
        )

        self.assertEqual(extended.status, AmendmentStatus.EXTENDED)
        self.assertEqual(extended.due_on, received + dt.timedelta(days=90))
        self.assertEqual(extended.extension_reason, "Waiting for the referrer's notes.")
        with self.assertRaisesMessage(services.AmendmentError, "cannot become “Extended”"):
            services.amendment_extend(actor=self.actor(), request=extended, reason="Again.")
        extended.refresh_from_db()
        self.assertEqual(extended.due_on, received + dt.timedelta(days=90))

    def test_it_refuses_an_extension_after_the_sixty_days(self) -> None:
        amendment = self.receive(today() - dt.timedelta(days=61))

        with self.assertRaisesMessage(services.AmendmentError, "60 days have passed"):
            services.amendment_extend(actor=self.actor(), request=amendment, reason="Late.")

        amendment.refresh_from_db()
        self.assertEqual(amendment.status, AmendmentStatus.RECEIVED)

    def test_it_refuses_an_extension_without_a_reason(self) -> None:
        amendment = self.receive()

        with self.assertRaises(services.AmendmentError) as raised:
            services.amendment_extend(actor=self.actor(), request=amendment, reason="  ")

        self.assertEqual(raised.exception.field, "extension_reason")

    def test_it_refuses_a_received_day_in_the_future_or_before_1900(self) -> None:
        for day in (today() + dt.timedelta(days=1), dt.date(1899, 12, 31), dt.date(1, 1, 1)):
            with self.subTest(day=day), self.assertRaises(services.AmendmentError) as raised:
                self.receive(day)
            self.assertEqual(raised.exception.field, "received_on")
        self.assertFalse(AmendmentRequest.objects.exists())

    def test_it_accepts_with_what_changed_and_where(self) -> None:
        amendment = self.receive()

        accepted = services.amendment_accept(
            actor=self.actor(),
            request=amendment,
            change_note="Removed the diagnosis entered in error.",
            link=f"/staff/clients/{self.client_record.pk}/",
        )

        self.assertEqual(accepted.status, AmendmentStatus.ACCEPTED)
        self.assertEqual(accepted.decided_by, self.therapist)
        self.assertIsNotNone(accepted.decided_at)
        self.assertEqual(accepted.amendment_link, f"/staff/clients/{self.client_record.pk}/")

    def test_it_refuses_a_link_off_the_site(self) -> None:
        amendment = self.receive()
        for link in ("https://evil.example/", "//evil.example/", "javascript:alert(1)", "/x/"):
            with self.subTest(link=link), self.assertRaises(services.AmendmentError) as raised:
                services.amendment_accept(
                    actor=self.actor(), request=amendment, change_note="Done.", link=link
                )
            self.assertEqual(raised.exception.field, "amendment_link")

    def test_it_denies_only_on_a_basis_of_the_rule(self) -> None:
        amendment = self.receive()

        with self.assertRaises(services.AmendmentError) as raised:
            services.amendment_deny(actor=self.actor(), request=amendment, basis="", note="")
        self.assertEqual(raised.exception.field, "denial_basis")

        denied = self.deny(amendment)
        self.assertEqual(denied.status, AmendmentStatus.DENIED)
        self.assertEqual(denied.denial_basis, DenialBasis.ACCURATE)

    def test_it_refuses_a_second_decision(self) -> None:
        denied = self.deny(self.receive())

        with self.assertRaisesMessage(services.AmendmentError, "“Denied” cannot become"):
            services.amendment_accept(actor=self.actor(), request=denied, change_note="x", link="")
        with self.assertRaisesMessage(services.AmendmentError, "cannot become"):
            self.deny(denied)
        with self.assertRaisesMessage(services.AmendmentError, "cannot become"):
            services.amendment_extend(actor=self.actor(), request=denied, reason="x")
        denied.refresh_from_db()
        self.assertEqual(denied.status, AmendmentStatus.DENIED)

    def test_it_decides_from_the_row_as_it_is_now(self) -> None:
        amendment = self.receive()
        stale = AmendmentRequest.objects.get(pk=amendment.pk)
        self.deny(amendment)

        with self.assertRaises(services.AmendmentError):
            services.amendment_accept(actor=self.actor(), request=stale, change_note="x", link="")

    def test_it_appends_the_disagreement_and_the_rebuttal_once_each(self) -> None:
        amendment = self.receive()
        with self.assertRaisesMessage(services.AmendmentError, "only to a denied request"):
            services.amendment_add_disagreement(
                actor=self.actor(self.intake), request=amendment, statement="I disagree."
            )
        with self.assertRaisesMessage(services.AmendmentError, "there is none yet"):
            services.amendment_add_rebuttal(actor=self.actor(), request=amendment, rebuttal="x")
        denied = self.deny(amendment)

        disputed = services.amendment_add_disagreement(
            actor=self.actor(self.intake), request=denied, statement="I disagree."
        )
        rebutted = services.amendment_add_rebuttal(
            actor=self.actor(), request=disputed, rebuttal="The note stands."
        )

        self.assertEqual(rebutted.disagreement, "I disagree.")
        self.assertEqual(rebutted.rebuttal, "The note stands.")
        with self.assertRaisesMessage(services.AmendmentError, "already has the client's"):
            services.amendment_add_disagreement(
                actor=self.actor(self.intake), request=rebutted, statement="Again."
            )
        with self.assertRaisesMessage(services.AmendmentError, "already has a rebuttal"):
            services.amendment_add_rebuttal(actor=self.actor(), request=rebutted, rebuttal="x")

    def test_it_audits_each_step_with_no_free_text(self) -> None:
        amendment = self.receive(today() - dt.timedelta(days=5))
        services.amendment_extend(actor=self.actor(), request=amendment, reason="Secret reason")
        self.deny(amendment)
        services.amendment_add_disagreement(
            actor=self.actor(self.intake), request=amendment, statement="Secret statement"
        )
        services.amendment_add_rebuttal(
            actor=self.actor(), request=amendment, rebuttal="Secret rebuttal"
        )

        due = (today() + dt.timedelta(days=55)).isoformat()
        extended_due = (today() + dt.timedelta(days=85)).isoformat()
        self.assertEqual(
            self.entries(amendment),
            [
                ("amendment.receive", {"concerns": "diagnoses", "due_on": due}),
                ("amendment.extend", {"status": "extended", "due_on": extended_due}),
                ("amendment.deny", {"status": "denied", "basis": "accurate"}),
                ("amendment.disagreement", {"status": "denied"}),
                ("amendment.rebuttal", {"status": "denied"}),
            ],
        )
        events = AuditEvent.objects.filter(action__startswith="amendment.")
        self.assertTrue(all(e.client_id == self.client_record.pk for e in events))
        self.assertNotIn("Secret", str(list(events.values_list("detail", flat=True))))

    def test_it_audits_an_acceptance(self) -> None:
        amendment = self.receive()

        services.amendment_accept(actor=self.actor(), request=amendment, change_note="x", link="")

        self.assertEqual(
            self.entries(amendment)[-1],
            ("amendment.accept", {"status": "accepted", "linked": False}),
        )


class PageTests(AmendmentTestCase):
    def test_it_records_a_request_from_the_client_page(self) -> None:
        self.client.force_login(self.intake)
        received = today() - dt.timedelta(days=3)

        response = self.client.post(
            f"/staff/amendments/new/{self.client_record.pk}/",
            {
                "received_on": received.isoformat(),
                "concerns": "medications",
                "reference": "Allergies",
                "requested_change": "I am not allergic to penicillin.",
            },
        )

        amendment = AmendmentRequest.objects.get()
        self.assertRedirects(response, f"/staff/amendments/{amendment.pk}/")
        self.assertEqual(amendment.due_on, received + dt.timedelta(days=60))
        self.assertEqual(amendment.created_by, self.intake)

    def test_it_keeps_what_was_typed_beside_a_bad_date(self) -> None:
        self.client.force_login(self.intake)
        future = (today() + dt.timedelta(days=2)).isoformat()

        response = self.client.post(
            f"/staff/amendments/new/{self.client_record.pk}/",
            {"received_on": future, "concerns": "other", "requested_change": "Typed text"},
        )

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="id_received_on_error"')
        self.assertContains(response, "Typed text")
        self.assertContains(response, f'value="{future}"')
        self.assertFalse(AmendmentRequest.objects.exists())

    def test_it_shows_a_service_refusal_beside_its_field(self) -> None:
        amendment = self.deny(self.receive())
        self.client.force_login(self.therapist)

        response = self.client.post(
            f"/staff/amendments/{amendment.pk}/accept/",
            {"change_note": "Changed it", "amendment_link": ""},
        )

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="id_change_note_error"')
        self.assertContains(response, "cannot become")
        self.assertContains(response, "Changed it")

    def test_it_shows_the_whole_history_on_the_request(self) -> None:
        amendment = self.receive()
        services.amendment_deny(
            actor=self.actor(), request=amendment, basis=DenialBasis.NOT_CREATED_HERE, note="N"
        )
        services.amendment_add_disagreement(
            actor=self.actor(self.intake), request=amendment, statement="My statement."
        )
        services.amendment_add_rebuttal(
            actor=self.actor(), request=amendment, rebuttal="Our rebuttal."
        )
        self.client.force_login(self.therapist)

        response = self.client.get(f"/staff/amendments/{amendment.pk}/")

        body = response.content.decode()
        parts = ["The referral lists a diagnosis", "Not created by the practice", "My statement."]
        positions = [body.index(p) for p in [*parts, "Our rebuttal."]]
        self.assertEqual(positions, sorted(positions))
        self.assertNotIn('<form method="post" action="/staff/amendments/', body)
        self.assertTrue(
            AuditEvent.objects.filter(action="amendment.view", object_id=str(amendment.pk))
        )

    def test_it_answers_404_for_another_therapists_client(self) -> None:
        amendment = self.receive()
        self.client.force_login(self.therapist2)

        for url in (
            f"/staff/amendments/{amendment.pk}/",
            f"/staff/amendments/new/{self.client_record.pk}/",
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 404)
                self.assertNotContains(response, "Avery", status_code=404)
        response = self.client.post(
            f"/staff/amendments/{amendment.pk}/deny/", {"denial_basis": "accurate"}
        )
        self.assertEqual(response.status_code, 404)
        amendment.refresh_from_db()
        self.assertEqual(amendment.status, AmendmentStatus.RECEIVED)

    def test_it_refuses_the_prescriber_and_lets_intake_only_record(self) -> None:
        amendment = self.receive()
        self.client.force_login(self.prescriber)
        self.assertEqual(self.client.get(f"/staff/amendments/{amendment.pk}/").status_code, 403)
        self.client.force_login(self.intake)

        response = self.client.post(
            f"/staff/amendments/{amendment.pk}/deny/", {"denial_basis": "accurate"}
        )

        self.assertEqual(response.status_code, 403)
        amendment.refresh_from_db()
        self.assertEqual(amendment.status, AmendmentStatus.RECEIVED)


class ClientPageTests(AmendmentTestCase):
    def test_it_lists_requests_with_the_due_day_and_flags_the_overdue(self) -> None:
        self.receive(today() - dt.timedelta(days=61))
        self.receive(today() - dt.timedelta(days=2))
        self.client.force_login(self.therapist)

        response = self.client.get(f"/staff/clients/{self.client_record.pk}/notes/")

        self.assertContains(response, "Amendment requests")
        self.assertContains(response, (today() + dt.timedelta(days=58)).isoformat())
        self.assertContains(response, "<strong>Overdue</strong>", count=1)

    def test_it_shows_no_panel_to_a_role_without_the_record(self) -> None:
        panel = amendments_panel(request_for(self.prescriber), self.client_record)

        self.assertIsNone(panel)

    def test_it_puts_each_step_on_the_timeline(self) -> None:
        amendment = self.receive()
        services.amendment_extend(actor=self.actor(), request=amendment, reason="Reason")
        self.deny(amendment)
        services.amendment_add_disagreement(
            actor=self.actor(self.intake), request=amendment, statement="Statement"
        )
        services.amendment_add_rebuttal(actor=self.actor(), request=amendment, rebuttal="Reply")

        texts = sorted(e.text for e in amendment_entries(self.client_record))

        self.assertEqual(
            texts,
            [
                "Amendment request denied: Diagnoses",
                "Amendment request extended by 30 days",
                "Amendment requested: Diagnoses",
                "Rebuttal appended",
                "Statement of disagreement appended",
            ],
        )

    @override_settings(PATHWAYS_TIMELINE_SOURCES=["amendments.panels.amendment_entries"])
    def test_it_shows_the_steps_on_the_client_timeline(self) -> None:
        self.deny(self.receive())
        self.client.force_login(self.intake)

        response = self.client.get(f"/staff/clients/{self.client_record.pk}/timeline/")

        self.assertContains(response, "Amendment request denied: Diagnoses")
