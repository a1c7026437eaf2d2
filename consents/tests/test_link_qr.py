"""Staff can show a signing link as a QR code, for a client without an e-mail to sign
on their own phone in the office; the link is still shown once and never kept."""

from __future__ import annotations

import re

from audit.models import AuditEvent
from common.qr import qr_svg
from consents.models import ConsentKind
from pathways.testing import BaseTestCase, make_client, make_document

LINK = re.compile(r"https?://[^\s\"]+/consent/[A-Za-z0-9_-]{43}/")


class LinkQrTestCase(BaseTestCase):
    def test_it_shows_the_link_as_a_qr_code(self) -> None:
        record = make_client(email="", assigned_therapist=self.therapist)
        make_document(ConsentKind.KAP)
        self.client.force_login(self.therapist)

        response = self.client.post(
            f"/staff/consents/client/{record.pk}/send/", {"kind": ConsentKind.KAP}
        )

        match = LINK.search(response.content.decode())
        assert match
        self.assertContains(response, "Show the link as a QR code")
        self.assertContains(response, qr_svg(match.group(0), label="QR code of the signing link"))
        assert "no-store" in response["Cache-Control"]
        for event in AuditEvent.objects.all():
            assert match.group(0) not in str(event.detail)
