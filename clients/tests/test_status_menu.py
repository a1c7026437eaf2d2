"""No status menu of the client record pre-selects a negative choice (issue 11): a
new record starts "prospective", an existing one shows its own status selected."""

from __future__ import annotations

import re

from clients.forms import ClientForm
from clients.models import ClientStatus
from pathways.testing import BaseTestCase, make_client


def selected(form: ClientForm) -> list[str]:
    return re.findall(r'<option value="([^"]*)" selected>', str(form["status"]))


class StatusMenuTestCase(BaseTestCase):
    def test_a_new_record_selects_prospective(self) -> None:
        assert selected(ClientForm()) == [ClientStatus.PROSPECTIVE]

    def test_an_existing_record_selects_its_own_status_never_discharged(self) -> None:
        for status in (ClientStatus.PROSPECTIVE, ClientStatus.ACTIVE, ClientStatus.ON_HOLD):
            with self.subTest(status=status):
                record = make_client(status=status)
                assert selected(ClientForm(instance=record)) == [status]
