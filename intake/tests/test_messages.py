from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from audit.models import AuditEvent
from intake.models import ContactMessage
from pathways.testing import BaseTestCase, make_message


class MessageListTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.open = make_message(name="Ophelia Open")
        self.handled = make_message(
            name="Hector Handled", handled_at=timezone.now(), handled_by=self.intake
        )

    def test_it_lists_the_open_messages(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.get("/staff/messages/")

        assert [m.pk for m in response.context["page"]] == [self.open.pk]
        self.assertContains(response, "Ophelia Open")
        self.assertNotContains(response, "Hector Handled")

    def test_it_lists_all_messages_newest_first_on_request(self) -> None:
        ContactMessage.objects.filter(pk=self.open.pk).update(
            created_at=timezone.now() - timedelta(days=1)
        )
        self.client.force_login(self.admin)

        response = self.client.get("/staff/messages/?show=all")

        assert [m.pk for m in response.context["page"]] == [self.handled.pk, self.open.pk]
        self.assertContains(response, "Handled")

    def test_it_writes_an_audit_entry(self) -> None:
        self.client.force_login(self.intake)

        self.client.get("/staff/messages/")

        event = AuditEvent.objects.get(action="message.list")
        assert event.actor == self.intake
        assert event.detail == {"page": 1, "count": 1}
        assert event.ip == "127.0.0.1"


class MessageDetailTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.message = make_message(
            name="Ophelia Open", phone="(555) 010-0188", message="Is parking free?"
        )
        self.url = f"/staff/messages/{self.message.pk}/"

    def test_it_shows_the_message(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.get(self.url)

        self.assertContains(response, "Message from Ophelia Open")
        self.assertContains(response, "pat@example.com")
        self.assertContains(response, "(555) 010-0188")
        self.assertContains(response, "Is parking free?")
        self.assertContains(response, "Mark as handled")

    def test_it_writes_an_audit_entry(self) -> None:
        self.client.force_login(self.intake)

        self.client.get(self.url, REMOTE_ADDR="192.0.2.61")

        event = AuditEvent.objects.get(action="message.view")
        assert event.actor == self.intake
        assert event.ip == "192.0.2.61"
        assert event.object_type == "intake.contactmessage"
        assert event.object_id == str(self.message.pk)


class MessageHandledTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.message = make_message()
        self.url = f"/staff/messages/{self.message.pk}/handled/"

    def test_it_marks_the_message_handled(self) -> None:
        self.client.force_login(self.intake)

        response = self.client.post(self.url)

        self.assertRedirects(response, "/staff/messages/", fetch_redirect_response=False)
        self.message.refresh_from_db()
        assert self.message.handled_by == self.intake
        assert self.message.handled_at is not None
        page = self.client.get(f"/staff/messages/{self.message.pk}/")
        self.assertContains(page, "Handled")
        self.assertNotContains(page, "Mark as handled")

    def test_it_keeps_the_first_handler(self) -> None:
        self.client.force_login(self.intake)
        self.client.post(self.url)
        self.message.refresh_from_db()
        first = (self.message.handled_at, self.message.handled_by)

        self.client.force_login(self.admin)
        self.client.post(self.url)

        self.message.refresh_from_db()
        assert (self.message.handled_at, self.message.handled_by) == first
        assert AuditEvent.objects.filter(action="message.handled").count() == 1

    def test_it_writes_an_audit_entry(self) -> None:
        self.client.force_login(self.admin)

        self.client.post(self.url)

        event = AuditEvent.objects.get(action="message.handled")
        assert event.actor == self.admin
        assert event.object_id == str(self.message.pk)
        assert event.ip == "127.0.0.1"
