"""The BLS display page (/display/) holds no PHI, even in a browser signed in as the
therapist of a record whose display is paired and running a set: no name, no birth
date, no record id, no therapist's name; and it is not cached."""

from __future__ import annotations

from django.urls import reverse

from accounts.actor import Actor
from bls import pairing
from bls.models import EmdrRecord
from pathways.testing import BaseTestCase, make_phi_client, phi_sentinels
from pathways.testing.phi import leaked

from .support import make_emdr_session


class DisplayPageTests(BaseTestCase):
    def setUp(self) -> None:
        self.therapist.first_name, self.therapist.last_name = "Ottoline", "Brackenbury"
        self.therapist.save()
        client = make_phi_client(self.therapist)
        emdr = make_emdr_session(self.therapist, self.prescriber, self.partner, client=client)
        EmdrRecord.objects.filter(pk=emdr.record.pk).update(
            target_memory="The red kayak capsizing below Harpers Ferry"
        )
        self.record = emdr.record
        _, code = pairing.pairing_create(channel="display-no-phi")
        paired = pairing.pairing_pair(
            actor=Actor.for_user(self.therapist), record=self.record, code=code
        )
        pairing.set_begin(pairing_id=paired.pairing.pk, settings_={"mode": "eyes", "speed": 1.0})
        self.url = reverse("bls_display:display")

    def test_it_shows_no_phi_to_anyone(self) -> None:
        sentinels = [
            *phi_sentinels(),
            "Ottoline",
            "Brackenbury",
            self.record.get_absolute_url(),
            f"emdr/{self.record.pk}",
        ]
        for who in ("anonymous", "the record's therapist"):
            with self.subTest(who):
                if who != "anonymous":
                    self.client.force_login(self.therapist)
                response = self.client.get(self.url)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(leaked(response, sentinels), [])
                self.assertIn("no-store", response["Cache-Control"])
                # Nothing in the page's context names the record, the client or the user.
                names = {key for layer in response.context for key in layer}
                self.assertFalse(names & {"record", "client", "pairing", "session"}, names)
