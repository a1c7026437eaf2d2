"""Staff can show a questionnaire link as a QR code, for a client without an e-mail
to answer on their own phone in the office; the page is still never cached."""

from __future__ import annotations

import re
from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditEvent
from common.qr import qr_svg
from pathways.testing import BaseTestCase, make_client

LINK = re.compile(r"https?://[^\s\"]+/measures/[A-Za-z0-9_-]{43}/")


class MeasureLinkQrTestCase(BaseTestCase):
    def test_it_shows_the_link_as_a_qr_code(self) -> None:
        call_command("load_instruments", stdout=StringIO())
        record = make_client(email="", assigned_therapist=self.therapist)
        self.client.force_login(self.therapist)

        response = self.client.post(
            reverse("measures:send", args=[record.pk]), {"instruments": ["phq9"]}
        )

        match = LINK.search(response.content.decode())
        assert match
        self.assertContains(response, "Show the link as a QR code")
        self.assertContains(
            response, qr_svg(match.group(0), label="QR code of the questionnaire link")
        )
        assert "no-store" in response["Cache-Control"]
        for event in AuditEvent.objects.all():
            assert match.group(0) not in str(event.detail)
