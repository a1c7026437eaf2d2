"""Property tests of the public forms (issue 10 §5): the appointment request and the
contact form. Whatever a person or a bot sends, cleaning never raises, and what is
accepted fits its fields (lengths, a real e-mail, the choices offered); a few posts
go through the public views: never a 5xx, nothing stored that does not fit."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from common.tests.support import any_text, choice_text, long_text, view_examples
from intake.models import AppointmentRequest, ContactMessage, ContactMethod, ContactTime
from pathways.testing import BaseTestCase
from website.forms import AppointmentRequestForm, ContactForm

FAST = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VIEWS = settings(
    max_examples=view_examples(), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

emails = st.one_of(st.emails().map(str), any_text)
phones = st.one_of(
    st.just("(555) 010-0123"), st.from_regex(r"[0-9 ()+.-]{0,20}", fullmatch=True), any_text
)
checkbox = st.sampled_from(["", "on"])


def assert_fits(model: Any, cleaned: dict[str, Any]) -> None:
    """Every accepted value passes its model field's own checks (length, choices)."""
    instance = model()
    for name, value in cleaned.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:  # a form-only field: nothing to check
            continue
        if field.is_relation or value is None:
            continue
        try:
            field.clean(value, instance)
        except ValidationError as exc:  # pragma: no cover - the failure message
            raise AssertionError(f"{name}={value!r}: {exc.messages}") from exc


request_data = st.fixed_dictionaries(
    {
        "first_name": any_text,
        "last_name": any_text,
        "email": emails,
        "phone": phones,
        "preferred_contact": choice_text(list(ContactMethod.values)),
        "preferred_times": st.lists(choice_text(list(ContactTime.values)), max_size=3),
        "service": st.one_of(st.just(""), any_text),
        "reason": long_text,
        "heard_about": any_text,
        "consent_to_contact": checkbox,
        "not_emergency_ack": checkbox,
        "website": st.one_of(st.just(""), any_text),
        "token": any_text,
    }
)
contact_data = st.fixed_dictionaries(
    {
        "name": any_text,
        "email": emails,
        "phone": st.one_of(st.just(""), phones),
        "message": long_text,
        "website": st.one_of(st.just(""), any_text),
        "token": any_text,
    }
)


class PublicFormProperties(HypothesisTestCase, BaseTestCase):
    @FAST
    @given(data=request_data)
    def test_the_request_form_accepts_only_what_fits(self, data: dict[str, Any]) -> None:
        form = AppointmentRequestForm(data)
        accepted = form.is_valid()
        event("accepted" if accepted else "refused")  # both sides are exercised
        if accepted:
            assert_fits(AppointmentRequest, form.cleaned_data)
            form.details()

    @FAST
    @given(data=contact_data)
    def test_the_contact_form_accepts_only_what_fits(self, data: dict[str, Any]) -> None:
        form = ContactForm(data)
        accepted = form.is_valid()
        event("accepted" if accepted else "refused")  # both sides are exercised
        if accepted:
            assert_fits(ContactMessage, form.cleaned_data)
            form.details()

    @VIEWS
    @given(data=request_data)
    def test_request_posts_never_fail(self, data: dict[str, Any]) -> None:
        response = self.client.post("/request-an-appointment/", data)

        self.assertLess(response.status_code, 500)
        for stored in AppointmentRequest.objects.all():
            assert_fits(AppointmentRequest, {"reason": stored.reason, "email": stored.email})

    @VIEWS
    @given(data=contact_data)
    def test_contact_posts_never_fail(self, data: dict[str, Any]) -> None:
        response = self.client.post("/contact/", data)

        self.assertLess(response.status_code, 500)
        for stored in ContactMessage.objects.all():
            assert_fits(ContactMessage, {"message": stored.message, "email": stored.email})
