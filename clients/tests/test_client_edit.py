from __future__ import annotations

import datetime
import json
import re
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from clients.models import Client, ClientStatus
from pathways.testing import BaseTestCase, make_client

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

# Every field of the edit form, as typed into it.
NEW_VALUES: dict[str, Any] = {
    "first_name": "Eleanor",
    "last_name": "Vance",
    "preferred_name": "Nell",
    "pronouns": "she/her",
    "date_of_birth": "1984-03-15",
    "email": "nell.vance@example.com",
    "phone": "(555) 010-0177",
    "address_line1": "1 Hill House Road",
    "address_line2": "Suite 2",
    "city": "Hillsdale",
    "state": "va",
    "postal_code": "22030",
    "emergency_contact_name": "Theodora Crain",
    "emergency_contact_relationship": "friend",
    "emergency_contact_phone": "555-010-0188",
    "escort_name": "Luke Sanderson",
    "escort_relationship": "cousin",
    "escort_phone": "555.010.0199",
    "status": "active",
}


class ClientEditTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = make_client(
            first_name="Nell",
            last_name="Crain",
            phone="(555) 010-0100",
            date_of_birth=datetime.date(1984, 3, 15),
            city="Richmond",
            state="VA",
            assigned_therapist=self.therapist,
        )
        self.url = f"/staff/clients/{self.record.pk}/edit/"

    def current(self, **changes: Any) -> dict[str, Any]:
        """The form as it would come back with nothing changed, plus `changes`."""
        r = self.record
        data: dict[str, Any] = {
            name: getattr(r, name) or "" for name in NEW_VALUES if name != "date_of_birth"
        }
        data["date_of_birth"] = r.date_of_birth.isoformat() if r.date_of_birth else ""
        data["assigned_therapist"] = r.assigned_therapist_id or ""
        data.update(changes)
        return data

    def post(self, user: User, **changes: Any) -> TestResponse:
        self.client.force_login(user)
        return self.client.post(self.url, self.current(**changes))

    def test_it_saves_every_field(self) -> None:
        response = self.post(self.intake, **NEW_VALUES, assigned_therapist=self.therapist2.pk)

        self.assertRedirects(response, f"/staff/clients/{self.record.pk}/")
        saved = Client.objects.get(pk=self.record.pk)
        for name, value in NEW_VALUES.items():
            expected = {"date_of_birth": datetime.date(1984, 3, 15), "state": "VA"}.get(
                name, value
            )
            assert getattr(saved, name) == expected, name
        assert saved.assigned_therapist == self.therapist2
        assert saved.phone_digits == "5550100177"

    def test_it_says_the_record_was_saved(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.post(self.url, self.current(phone="555-010-0142"), follow=True)

        self.assertContains(response, "Record saved.")
        self.assertContains(response, "<dt>Phone</dt><dd>555-010-0142</dd>", html=True)

    def test_it_shows_the_current_values_in_the_form(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.get(self.url)

        self.assertContains(response, 'value="Nell"')
        self.assertContains(response, 'value="1984-03-15"')
        self.assertContains(response, 'value="(555) 010-0100"')
        self.assertContains(response, "<h1>Edit Nell Crain</h1>", html=True)

    def test_it_audits_opening_the_form(self) -> None:
        self.client.force_login(self.therapist)

        self.client.get(self.url)

        event = AuditEvent.objects.get(action="client.view")
        assert event.client_id == self.record.pk

    def assert_field_error(self, response: TestResponse, field: str, message: str) -> None:
        assert response.status_code == 200
        assert field in response.context["form"].errors, response.context["form"].errors
        self.assertContains(response, message)
        self.assertContains(response, f'id="id_{field}_error"')
        self.assertContains(response, "Please check the form")

    def test_it_rejects_a_date_of_birth_before_1900_or_in_the_future(self) -> None:
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        for typed in ("1899-12-31", tomorrow.isoformat()):
            with self.subTest(typed=typed):
                response = self.post(self.therapist, date_of_birth=typed, city="Typed City")

                self.assert_field_error(
                    response, "date_of_birth", "Enter a date of birth between 1900 and today."
                )
                self.assertContains(response, f'value="{typed}"')
                self.assertContains(response, 'value="Typed City"')

        self.record.refresh_from_db()
        assert self.record.date_of_birth == datetime.date(1984, 3, 15)
        assert self.record.city == "Richmond"

    def test_it_rejects_a_date_of_birth_that_is_not_a_date(self) -> None:
        response = self.post(self.therapist, date_of_birth="31/31/1984")

        self.assert_field_error(response, "date_of_birth", "Enter a valid date.")
        self.assertContains(response, 'value="31/31/1984"')

    def test_it_accepts_today_and_1900_as_dates_of_birth(self) -> None:
        for day in (datetime.date(1900, 1, 1), timezone.localdate()):
            with self.subTest(day=day):
                response = self.post(self.intake, date_of_birth=day.isoformat())

                assert response.status_code == 302
                self.record.refresh_from_db()
                assert self.record.date_of_birth == day

    def test_it_rejects_a_state_that_is_not_two_letters(self) -> None:
        for typed, message in (
            ("V1", "Use the two-letter abbreviation, e.g. VA."),
            ("V", "Use the two-letter abbreviation, e.g. VA."),
            ("Virginia", "Ensure this value has at most 2 characters (it has 8)."),
        ):
            with self.subTest(typed=typed):
                response = self.post(self.therapist, state=typed)

                self.assert_field_error(response, "state", message)
                self.assertContains(response, f'value="{typed}"')
        self.record.refresh_from_db()
        assert self.record.state == "VA"

    def test_it_rejects_phones_with_too_few_or_too_many_digits(self) -> None:
        for field in ("phone", "emergency_contact_phone", "escort_phone"):
            for typed in ("010-01", "+44 (0) 20 7946 0958 1234 5"):
                with self.subTest(field=field, typed=typed):
                    response = self.post(self.therapist, **{field: typed})

                    self.assert_field_error(response, field, "Enter a phone number with area code")
                    self.assertContains(response, f'value="{typed}"')
        self.record.refresh_from_db()
        assert self.record.phone == "(555) 010-0100"

    def test_it_marks_the_invalid_input_for_screen_readers(self) -> None:
        response = self.post(self.therapist, phone="12")

        self.assertContains(response, 'aria-invalid="true"')
        self.assertContains(response, 'aria-describedby="id_phone_error"')

    def test_it_offers_only_the_statuses_the_client_may_move_to(self) -> None:
        Client.objects.filter(pk=self.record.pk).update(status=ClientStatus.ACTIVE)
        self.client.force_login(self.therapist)

        choices = [
            value
            for value, _ in self.client.get(self.url).context["form"].fields["status"].choices
        ]

        assert choices == ["active", "on_hold", "discharged"]

    def test_it_refuses_a_move_back_to_prospective_beside_the_field(self) -> None:
        Client.objects.filter(pk=self.record.pk).update(status=ClientStatus.ACTIVE)

        response = self.post(self.therapist, status="prospective", city="Norfolk")

        assert response.status_code == 200
        assert "status" in response.context["form"].errors
        self.assertContains(response, 'value="Norfolk"')
        self.record.refresh_from_db()
        assert (self.record.status, self.record.city) == ("active", "Richmond")

    def test_it_requires_the_names(self) -> None:
        response = self.post(self.therapist, first_name="", last_name="")

        form = response.context["form"]
        assert set(form.errors) == {"first_name", "last_name"}
        self.record.refresh_from_db()
        assert self.record.first_name == "Nell"

    def test_it_disables_reassignment_for_the_therapist(self) -> None:
        self.client.force_login(self.therapist)

        response = self.client.get(self.url)

        field = response.context["form"].fields["assigned_therapist"]
        assert field.disabled
        assert re.search(
            r'<select name="assigned_therapist"[^>]*\bdisabled\b', response.content.decode()
        )

    def test_it_ignores_a_reassignment_posted_by_the_therapist(self) -> None:
        response = self.post(self.therapist, assigned_therapist=self.therapist2.pk, city="Norfolk")

        assert response.status_code == 302
        self.record.refresh_from_db()
        assert self.record.assigned_therapist == self.therapist
        assert self.record.city == "Norfolk"
        event = AuditEvent.objects.get(action="client.update")
        assert event.detail == {"fields": ["city"]}

    def test_it_lets_intake_and_admin_reassign(self) -> None:
        for user, to in ((self.intake, self.therapist2), (self.admin, self.therapist)):
            with self.subTest(user=user.username):
                response = self.post(user, assigned_therapist=to.pk)

                assert response.status_code == 302
                self.record.refresh_from_db()
                assert self.record.assigned_therapist == to
                event = AuditEvent.objects.filter(action="client.update").first()
                assert event is not None
                assert event.actor == user
                assert event.detail == {"fields": ["assigned_therapist"]}

    def test_it_lets_intake_unassign(self) -> None:
        response = self.post(self.intake, assigned_therapist="")

        assert response.status_code == 302
        self.record.refresh_from_db()
        assert self.record.assigned_therapist is None

    def test_it_assigns_only_an_active_therapist(self) -> None:
        self.therapist2.is_active = False
        self.therapist2.save()
        for user in (self.prescriber, self.intake, self.therapist2):
            with self.subTest(user=user.username):
                response = self.post(self.intake, assigned_therapist=user.pk)

                self.assert_field_error(response, "assigned_therapist", "Select a valid choice.")
        self.record.refresh_from_db()
        assert self.record.assigned_therapist == self.therapist

    def test_it_audits_the_changed_field_names_and_no_values(self) -> None:
        self.post(self.therapist, phone="(555) 010-0199", city="Norfolk", pronouns="they/them")

        event = AuditEvent.objects.get(action="client.update")
        assert event.actor == self.therapist
        assert event.client_id == self.record.pk
        assert event.object_type == "clients.client"
        assert event.object_id == str(self.record.pk)
        assert event.detail == {"fields": ["pronouns", "phone", "city"]}
        text = json.dumps(event.detail)
        for value in ("0199", "Norfolk", "they/them"):
            assert value not in text

    def test_it_audits_a_save_with_no_changes_as_no_fields(self) -> None:
        self.post(self.therapist)

        event = AuditEvent.objects.get(action="client.update")
        assert event.detail == {"fields": []}

    def test_it_answers_404_to_another_therapist(self) -> None:
        self.client.force_login(self.therapist2)

        get = self.client.get(self.url)
        post = self.client.post(self.url, self.current(city="Elsewhere"))

        assert get.status_code == 404
        assert post.status_code == 404
        self.record.refresh_from_db()
        assert self.record.city == "Richmond"
        assert not AuditEvent.objects.filter(client_id=self.record.pk).exists()

    def test_it_refuses_the_prescriber(self) -> None:
        self.client.force_login(self.prescriber)

        assert self.client.get(self.url).status_code == 403
        assert self.client.post(self.url, self.current(city="X")).status_code == 403
