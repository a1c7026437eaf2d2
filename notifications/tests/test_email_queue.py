from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from notifications.models import OutboundEmail
from notifications.services import email_queue
from pathways.testing import BaseTestCase


class EmailQueueTestCase(BaseTestCase):
    def test_it_stores_the_rendered_e_mail_and_sends_it_after_commit(self) -> None:
        context = {"kind": "contact message", "link": "https://x.example/", "practice": "P"}

        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            email = email_queue(
                to="intake@pathways.example",
                template="notifications/email/staff_new_item",
                context=context,
            )

        assert email.status == OutboundEmail.Status.PENDING
        assert email.subject == "New contact message waiting"
        assert "https://x.example/" in email.body
        assert mail.outbox == []
        assert len(callbacks) == 1

        callbacks[0]()

        email.refresh_from_db()
        assert email.status == OutboundEmail.Status.SENT
        assert mail.outbox[0].to == ["intake@pathways.example"]

    def test_it_sends_nothing_if_the_transaction_rolls_back(self) -> None:
        context = {"practice": "P", "phone": "555"}

        def change_that_fails() -> None:
            with transaction.atomic():
                email_queue(
                    to="x@example.com",
                    template="notifications/email/request_received",
                    context=context,
                )
                raise RuntimeError("the change that caused the e-mail failed")

        with (
            self.captureOnCommitCallbacks(execute=False) as callbacks,
            pytest.raises(RuntimeError),
        ):
            change_that_fails()

        assert callbacks == []
        assert not OutboundEmail.objects.exists()
