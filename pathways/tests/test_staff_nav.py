"""The staff navigation written in Python (pathways.staff_nav, issue 14) writes what
templates/staff_base.html's block wrote: for every role, on its own page and another,
with counts and without, for a name that needs escaping, with no user and signed out."""

from __future__ import annotations

import warnings
from types import SimpleNamespace
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.template import Context, Engine
from django.test import RequestFactory, TestCase
from django.urls import set_script_prefix

from accounts.models import Role
from pathways.testing import make_user, reauthenticate

# The block as the template had it (staff_base.html before issue 14's change).
FORMER = """
{% if user.is_authenticated %}
  {% if user.role == "admin" or user.role == "intake" or user.role == "therapist" %}
  {# The counts come from pathways.context_processors.staff_counts (one query, read here only). #}
  <li><a href="{% url 'dashboard:home' %}"{% if request.resolver_match.view_name == "dashboard:home" %} aria-current="page"{% endif %}>Today{% if nav_counts.today %}<span class="nav-count"><span class="visually-hidden">: </span>{{ nav_counts.today }}<span class="visually-hidden"> to do</span></span>{% endif %}</a></li>
  <li><a href="{% url 'intake:inbox' %}">Requests{% if nav_counts.requests %}<span class="nav-count"><span class="visually-hidden">: </span>{{ nav_counts.requests }}<span class="visually-hidden"> new</span></span>{% endif %}</a></li>
  <li><a href="{% url 'clients:list' %}">Clients</a></li>
  <li><a href="{% url 'scheduling:calendar' %}">Schedule</a></li>
  <li><a href="{% url 'alerts:list' %}">Safety alerts{% if nav_counts.alerts %}<span class="nav-count nav-count-alert"><span class="visually-hidden">: </span>{{ nav_counts.alerts }}<span class="visually-hidden"> open</span></span>{% endif %}</a></li>
  {% endif %}
  {% if user.role == "admin" or user.role == "intake" %}<li><a href="{% url 'intake:messages' %}">Messages{% if nav_counts.messages %}<span class="nav-count"><span class="visually-hidden">: </span>{{ nav_counts.messages }}<span class="visually-hidden"> open</span></span>{% endif %}</a></li>{% endif %}
  {% if user.role == "prescriber" %}
  {% with here=request.resolver_match.view_name %}
  <li><a href="{% url 'portal:home' %}"{% if here == "portal:home" %} aria-current="page"{% endif %}>Referrals</a></li>
  <li><a href="{% url 'portal_rx:list' %}"{% if here == "portal_rx:list" %} aria-current="page"{% endif %}>Prescriptions</a></li>
  <li><a href="{% url 'portal_dosing:list' %}"{% if here == "portal_dosing:list" %} aria-current="page"{% endif %}>Sessions</a></li>
  {% endwith %}
  {% endif %}
  {% if user.role == "admin" %}<li><a href="{% url 'outcomes:report' %}">Outcomes</a></li>{% endif %}
  {% if user.role == "admin" %}<li><a href="{% url 'audit:report' %}">Audit</a></li>{% endif %}
  {% if user.role == "admin" and user.is_staff %}<li><a href="{% url 'admin:index' %}">Admin</a></li>{% endif %}
  {# The portal never links into the staff area (partners/tests/test_portal_home.py). #}
  {% if user.role != "prescriber" %}<li><a href="{% url 'accounts:account:home' %}">Your account</a></li>{% endif %}
  <li><form method="post" action="{% url 'accounts:logout' %}" class="inline">{% csrf_token %}
    <button type="submit" class="linklike">Sign out {{ user.get_username }}</button></form></li>
{% endif %}
"""  # noqa: E501

COUNTS = {"today": 3, "requests": 12, "alerts": 1, "messages": 4}
NO_COUNTS = {"today": 0, "requests": 0, "alerts": 0, "messages": 0}
# A therapist's: no requests or messages (pathways.context_processors.nav_counts).
SOME_COUNTS = {"today": 2, "alerts": 5, "appointments": 1, "notes": 1}
PAGES = ("dashboard:home", "portal:home", "portal_rx:list", "portal_dosing:list", "clients:list")


def former(context: dict[str, Any]) -> str:
    """The former block, through Django's own tags (not the project's `url`)."""
    engine = Engine.get_default()
    builtins = [b for b in engine.builtins if b != "common.template_urls"]
    with warnings.catch_warnings():
        # Django's own `{% csrf_token %}` calls format_html("") for "NOTPROVIDED"
        # (RemovedInDjango60Warning).
        warnings.simplefilter("ignore", DeprecationWarning)
        return Engine(builtins=builtins).from_string(FORMER).render(Context(context))


def written(context: dict[str, Any]) -> str:
    text = "{% load staff_nav %}{% staff_nav %}"
    return Engine.get_default().from_string(text).render(Context(context))


class StaffNavTests(TestCase):
    def _request(self, view_name: str | None) -> Any:
        request = RequestFactory().get("/")
        request.resolver_match = SimpleNamespace(  # type: ignore[assignment]  # what is read
            view_name=view_name, namespace=""
        )
        return request

    def _both(self, **context: Any) -> None:
        self.assertEqual(written(context), former(context))

    def test_it_writes_the_former_block_for_every_role_page_and_count(self) -> None:
        for role in [*Role.values, ""]:  # "": signed in with no role (its own pages)
            for is_staff in (False, True):
                user = make_user(f"{role}-{is_staff}", role=role, is_staff=is_staff)
                for page in PAGES:
                    for counts in (COUNTS, NO_COUNTS, SOME_COUNTS, None):
                        with self.subTest(role=role, staff=is_staff, page=page, counts=counts):
                            context: dict[str, Any] = {
                                "user": user,
                                "request": self._request(page),
                                "csrf_token": "tok<&>en",
                            }
                            if counts is not None:
                                context["nav_counts"] = counts
                            self._both(**context)

    def test_it_escapes_the_username_and_writes_no_token_it_was_not_given(self) -> None:
        user = make_user('<b>O\'Brien&"x"</b>', role=Role.ADMIN)
        for token in ("NOTPROVIDED", "", None):
            with self.subTest(token=token):
                self._both(user=user, request=self._request("dashboard:home"), csrf_token=token)
        self.assertIn(
            "Sign out &lt;b&gt;O&#x27;Brien&amp;&quot;x&quot;&lt;/b&gt;",
            written({"user": user, "request": self._request(None)}),
        )

    def test_it_writes_nothing_but_the_blank_for_no_user_or_an_anonymous_one(self) -> None:
        self._both(request=self._request("dashboard:home"))
        self._both(user=AnonymousUser(), request=self._request("dashboard:home"))
        self._both(user=AnonymousUser())

    def test_it_is_on_a_staff_page(self) -> None:
        user = make_user("nav-admin", role=Role.ADMIN)
        self.client.force_login(user)
        reauthenticate(self.client)
        response = self.client.get("/staff/clients/")
        self.assertContains(response, '<li><a href="/staff/audit/">Audit</a></li>', html=False)
        self.assertContains(response, '<a href="/staff/" aria-current="page">', count=0)

    def test_it_escapes_the_links_as_the_url_tag_did(self) -> None:
        user = make_user("prefixed", role=Role.ADMIN, is_staff=True)
        set_script_prefix("/practice&co's/")
        try:
            context = {"user": user, "request": self._request("dashboard:home"), "csrf_token": "t"}
            self._both(**context)
            assert 'href="/practice&amp;co&#x27;s/staff/"' in written(context)
        finally:
            set_script_prefix("/")
