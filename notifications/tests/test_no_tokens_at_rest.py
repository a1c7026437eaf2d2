"""No usable secret link is stored at rest (issue 10 §3).

The consent and questionnaire e-mails carry a link whose raw token opens a
consent to sign or questionnaires to answer. Only the token's hash may be in
the database: the outbox body is encrypted while the e-mail waits and erased
once it is sent or given up. Each test takes the token from the e-mail that
went out and scans every column of every table for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from io import StringIO
from typing import Any

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from accounts.actor import Actor
from common.tokens import token_hash
from consents.models import ConsentKind, ConsentRequest
from consents.services import consent_request_send
from measures.models import MeasureLink
from measures.services import link_send
from notifications.models import OutboundEmail
from notifications.tasks import email_send
from pathways.testing import BaseTestCase, make_client, make_document

FAILING_BACKEND = f"{__name__}.OutageBackend"
# The last path segment of a link: the token (common.tokens.new_token, url-safe).
LINK = re.compile(r"https?://\S+/([A-Za-z0-9_-]{40,})/?")


class OutageBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        raise OSError("the mail server is down")


def tables_holding(needle: str) -> list[str]:
    """Every "table.column" of the database whose value contains `needle` (text,
    JSON, and bytes decoded), scanning the whole database with raw SQL."""
    found = []
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {qn(table)}")  # noqa: S608
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, memoryview):
                        value = bytes(value)
                    if isinstance(value, bytes):
                        value = value.decode("latin-1")
                    if needle in str(value):
                        found.append(f"{table}.{column}")
    return found


def token_of(body: str) -> str:
    match = LINK.search(body)
    assert match is not None, "the e-mail has no link"
    return match.group(1)


class NoTokensAtRestTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        call_command("load_instruments", stdout=StringIO())
        make_document(ConsentKind.KAP)

    def setUp(self) -> None:
        super().setUp()
        self.client_obj = make_client(email="river@example.com")
        self.actor = Actor.for_user(self.therapist)

    def queue_then_send(self, send_link: Callable[[], Any]) -> str:
        """Queue the link e-mail, check the database while it waits, deliver it, and
        return the token it carried."""
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            send_link()
        email = OutboundEmail.objects.get()
        assert email.status == OutboundEmail.Status.PENDING
        token = token_of(email.body)  # decrypted through the model: it is there
        assert tables_holding(token) == []  # … but no column holds it

        for callback in callbacks:
            callback()

        [message] = mail.outbox
        assert token_of(str(message.body)) == token
        email.refresh_from_db()
        assert (email.status, email.body) == (OutboundEmail.Status.SENT, "")
        assert email.subject  # the delivery record keeps its subject
        return token

    def test_it_keeps_no_consent_signing_token(self) -> None:
        token = self.queue_then_send(
            lambda: consent_request_send(
                actor=self.actor, client=self.client_obj, kind=ConsentKind.KAP
            )
        )

        # The token in the e-mail is the real one: its hash opens the request.
        assert ConsentRequest.objects.filter(token_hash=token_hash(token)).exists()
        assert tables_holding(token) == []

    def test_it_keeps_no_questionnaire_token(self) -> None:
        token = self.queue_then_send(
            lambda: link_send(actor=self.actor, client=self.client_obj, codes=["phq9"])
        )

        assert MeasureLink.objects.filter(token_hash=token_hash(token)).exists()
        assert tables_holding(token) == []

    @override_settings(EMAIL_BACKEND=FAILING_BACKEND, EMAIL_MAX_ATTEMPTS=2)
    def test_it_erases_the_body_of_an_e_mail_given_up(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            _, token = consent_request_send(
                actor=self.actor, client=self.client_obj, kind=ConsentKind.KAP
            )
        email = OutboundEmail.objects.get()
        assert token in email.body  # still pending after one failure, kept to retry
        assert tables_holding(token) == []

        email_send.call(email.pk)

        email.refresh_from_db()
        assert (email.status, email.body) == (OutboundEmail.Status.FAILED, "")
        assert tables_holding(token) == []

    def test_it_finds_a_token_stored_in_plain_text(self) -> None:
        # The scan itself works: a token written in clear would be caught.
        with self.captureOnCommitCallbacks(execute=False):
            _, token = consent_request_send(
                actor=self.actor, client=self.client_obj, kind=ConsentKind.KAP
            )
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE notifications_outboundemail SET subject = %s", [f"Link {token}"]
            )

        assert tables_holding(token) == ["notifications_outboundemail.subject"]
