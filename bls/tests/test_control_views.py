"""Pairing a display from the record, ending it, and the report on a set the display
ran (bls.control_views)."""

from __future__ import annotations

from typing import Any

from channels.layers import get_channel_layer
from django.urls import reverse
from django.utils import timezone

from accounts.actor import Actor
from audit.models import AuditEvent
from bls import pairing, services
from bls.models import SUD_RANGE_MESSAGE, DesensitisationSet, DisplayPairing
from pathways.testing import BaseTestCase

from .sockets import run_async
from .support import make_emdr_appointment, make_emdr_session

HTMX = {"HX-Request": "true"}


def _channel() -> str:
    """A display's channel on the channel layer, whose messages the test reads."""
    layer = get_channel_layer()
    assert layer is not None
    name: str = run_async(layer.new_channel())
    return name


def _received(channel: str) -> dict[str, Any]:
    layer = get_channel_layer()
    assert layer is not None
    message: dict[str, Any] = run_async(layer.receive(channel), timeout=5)
    return message


class PairViewTests(BaseTestCase):
    def setUp(self) -> None:
        self.emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        self.record = self.emdr.record
        self.url = reverse("bls:display_pair", args=[self.record.pk])
        self.channel = _channel()
        self.made, self.code = pairing.pairing_create(channel=self.channel)

    def test_it_pairs_the_display_and_tells_it(self) -> None:
        self.client.force_login(self.therapist)
        response = self.client.post(self.url, {"code": self.code}, headers=HTMX)
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "bls/_control.html")
        self.assertEqual(response.context["pairing"].pk, self.made.pk)
        stored = DisplayPairing.objects.get(pk=self.made.pk)
        self.assertEqual((stored.record, stored.therapist), (self.record, self.therapist))
        told = _received(self.channel)
        self.assertEqual((told["type"], told["pairing"]), ("bls.paired", self.made.pk))
        self.assertEqual(stored.resume_hash, pairing.resume_hash(told["resume"]))
        self.assertTrue(AuditEvent.objects.filter(action="emdr.display_pair").exists())

    def test_it_sends_an_earlier_display_of_the_record_back_to_its_code(self) -> None:
        self.client.force_login(self.therapist)
        self.client.post(self.url, {"code": self.code}, headers=HTMX)
        _received(self.channel)  # paired
        second_channel = _channel()
        second, code = pairing.pairing_create(channel=second_channel)
        self.client.post(self.url, {"code": code}, headers=HTMX)
        self.assertEqual(_received(self.channel), {"type": "bls.ended", "pairing": self.made.pk})
        self.assertEqual(_received(second_channel)["pairing"], second.pk)

    def test_it_goes_back_to_the_record_without_htmx(self) -> None:
        self.client.force_login(self.therapist)
        response = self.client.post(self.url, {"code": self.code})
        self.assertRedirects(
            response, f"{self.record.get_absolute_url()}#bls", fetch_redirect_response=False
        )

    def test_it_shows_why_a_code_is_refused_beside_it_keeping_what_was_typed(self) -> None:
        self.client.force_login(self.therapist)
        DisplayPairing.objects.filter(pk=self.made.pk).update(expires_at=timezone.now())
        for typed, message in (
            (self.code, pairing.EXPIRED_MESSAGE),
            ("000000" if self.code != "000000" else "111111", pairing.INVALID_MESSAGE),
            ("12ab", "Enter the 6 digits the display shows."),
        ):
            with self.subTest(typed):
                response = self.client.post(self.url, {"code": typed}, headers=HTMX)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.context["pair_error"], message)
                self.assertEqual(response.context["code"], typed)
                self.assertIsNone(response.context["pairing"])
                page = self.client.post(self.url, {"code": typed})
                self.assertEqual(page.status_code, 200)
                self.assertEqual(page.context["pair_error"], message)
        self.assertIsNone(DisplayPairing.objects.get(pk=self.made.pk).paired_at)

    def test_it_answers_404_to_a_therapist_who_is_not_the_records(self) -> None:
        # therapist2 cannot see the client at all.
        self.client.force_login(self.therapist2)
        self.assertEqual(self.client.post(self.url, {"code": self.code}).status_code, 404)
        # The session's appointment is therapist2's: the assigned therapist still sees
        # the record, but does not run the session.
        make_emdr_appointment(
            self.emdr.client, self.therapist2, self.emdr.start, session=self.emdr.session
        )
        self.client.force_login(self.therapist)
        self.assertEqual(self.client.post(self.url, {"code": self.code}).status_code, 404)
        self.assertTrue(
            AuditEvent.objects.filter(
                action="emdr.display_pair_refused", actor_username=self.therapist.username
            ).exists()
        )
        self.assertIsNone(DisplayPairing.objects.get(pk=self.made.pk).paired_at)

    def test_it_refuses_every_other_role(self) -> None:
        for user in (self.admin, self.intake, self.prescriber):
            with self.subTest(user.role):
                self.client.force_login(user)
                response = self.client.post(self.url, {"code": self.code})
                self.assertEqual(response.status_code, 403)
        self.assertIsNone(DisplayPairing.objects.get(pk=self.made.pk).paired_at)


class EndViewTests(BaseTestCase):
    def test_it_ends_the_pairing_and_sends_the_display_back_to_its_code(self) -> None:
        emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        channel = _channel()
        _, code = pairing.pairing_create(channel=channel)
        paired = pairing.pairing_pair(
            actor=Actor.for_user(self.therapist), record=emdr.record, code=code
        ).pairing
        url = reverse("bls:display_end", args=[emdr.record.pk])
        self.client.force_login(self.therapist2)
        self.assertEqual(self.client.post(url).status_code, 404)
        self.client.force_login(self.therapist)
        # One click is not enough: the confirm's second button sends confirm=yes.
        response = self.client.post(url, headers=HTMX)
        self.assertIn("nothing has changed", response.context["end_error"])
        self.assertEqual(response.context["pairing"], paired)
        paired.refresh_from_db()
        self.assertIsNone(paired.ended_at)
        response = self.client.post(url, {"confirm": "yes"}, headers=HTMX)
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.context["pairing"])
        paired.refresh_from_db()
        self.assertIsNotNone(paired.ended_at)
        self.assertEqual(paired.display_channel, "")
        self.assertEqual(_received(channel), {"type": "bls.ended", "pairing": paired.pk})
        self.assertTrue(AuditEvent.objects.filter(action="emdr.display_end").exists())


class SetReportTests(BaseTestCase):
    def setUp(self) -> None:
        self.emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        self.record = self.emdr.record
        self.entry = DesensitisationSet.objects.create(
            record=self.record,
            number=1,
            at=timezone.now(),
            bls_type="eyes",
            speed_hz="1.0",
            passes=24,
            seconds=24,
            from_display=True,
            recorded_by=self.therapist,
        )
        self.url = reverse("bls:set_report", args=[self.record.pk, 1])
        self.client.force_login(self.therapist)

    def test_it_opens_the_form_for_the_set_just_run(self) -> None:
        response = self.client.get(self.url, headers=HTMX)
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "bls/_set_report.html")
        self.assertEqual(response.context["entry"], self.entry)
        self.assertTrue(
            AuditEvent.objects.filter(action="emdr.view", detail={"set": self.entry.pk}).exists()
        )

    def test_it_saves_the_report_and_answers_the_set_log(self) -> None:
        data = {"client_report": "The river, then calm", "sud": "4", "interweave": ""}
        response = self.client.post(self.url, data, headers=HTMX)
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "bls/_sets.html")
        self.entry.refresh_from_db()
        self.assertEqual((self.entry.client_report, self.entry.sud), ("The river, then calm", 4))
        event = AuditEvent.objects.get(action="emdr.set_report")
        self.assertEqual(event.detail["fields"], ["client_report", "sud"])
        self.assertNotIn("river", str(event.detail))
        # The set log marks a set the display logged, and one that was interrupted.
        self.assertContains(
            response, '24 passes, 24 s <span class="set-source">(from the display)'
        )
        self.assertNotContains(response, "Interrupted")
        DesensitisationSet.objects.filter(pk=self.entry.pk).update(interrupted=True, passes=1)
        response = self.client.post(self.url, data, headers=HTMX)
        self.assertContains(response, "1 pass, 24 s")
        self.assertContains(response, "Interrupted</span>")
        page = self.client.post(self.url, {**data, "sud": "3"})
        self.assertRedirects(
            page, f"{self.record.get_absolute_url()}#sets", fetch_redirect_response=False
        )

    def test_it_shows_a_sud_out_of_range_beside_it_and_keeps_what_was_typed(self) -> None:
        for sud, message in (("11", SUD_RANGE_MESSAGE), ("-1", SUD_RANGE_MESSAGE), ("lots", "")):
            for headers in (HTMX, {}):
                with self.subTest(sud=sud, htmx=bool(headers)):
                    data = {"client_report": "Felt the water rising", "sud": sud}
                    response = self.client.post(self.url, data, headers=headers)
                    self.assertEqual(response.status_code, 200)
                    form = response.context["form"]
                    self.assertIn("sud", form.errors)
                    if message:
                        self.assertEqual(form.errors["sud"], [message])
                    html = response.content.decode()
                    self.assertIn('id="id_sud_error"', html)
                    self.assertIn("Felt the water rising", html)
        self.entry.refresh_from_db()
        self.assertEqual((self.entry.client_report, self.entry.sud), ("", None))

    def test_it_refuses_a_report_out_of_range_in_the_service_too(self) -> None:
        actor = Actor.for_user(self.therapist)
        for report, field in (
            (services.SetReport(client_report="", sud=11, interweave=""), "sud"),
            (
                services.SetReport(client_report="x" * 2001, sud=None, interweave=""),
                "client_report",
            ),
        ):
            with self.subTest(field), self.assertRaises(services.EmdrError) as refused:
                services.set_report_save(actor=actor, entry=self.entry, report=report)
            self.assertIn(field, refused.exception.errors)

    def test_it_answers_404_for_a_set_that_is_not_there_or_not_theirs(self) -> None:
        missing = reverse("bls:set_report", args=[self.record.pk, 2])
        self.assertEqual(self.client.get(missing).status_code, 404)
        self.client.force_login(self.therapist2)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.post(self.url, {"sud": "2"}).status_code, 404)
        self.client.force_login(self.admin)
        self.assertEqual(self.client.post(self.url, {"sud": "2"}).status_code, 403)
        self.entry.refresh_from_db()
        self.assertIsNone(self.entry.sud)


class RecordContextTests(BaseTestCase):
    def test_it_gives_the_record_page_the_pairing_and_who_may_control(self) -> None:
        emdr = make_emdr_session(self.therapist, self.prescriber, self.partner)
        url = emdr.record.get_absolute_url()
        self.client.force_login(self.therapist)
        page = self.client.get(url)
        self.assertEqual((page.context["can_control"], page.context["pairing"]), (True, None))
        _, code = pairing.pairing_create(channel="display-context")
        paired = pairing.pairing_pair(
            actor=Actor.for_user(self.therapist), record=emdr.record, code=code
        ).pairing
        self.assertEqual(self.client.get(url).context["pairing"], paired)
        self.client.force_login(self.admin)
        page = self.client.get(url)
        self.assertEqual((page.context["can_control"], page.context["pairing"]), (False, None))
