"""`{% idle_warning %}` written from a format string (issue 14) writes what the former
inclusion template, accounts/_idle_warning.html, wrote."""

from __future__ import annotations

import warnings
from typing import Any

from django.template import Context, Engine
from django.test import RequestFactory, SimpleTestCase

# accounts/_idle_warning.html, as it was.
FORMER = """{% load static %}
<div id="idle-warning" class="idle-warning" role="alertdialog" aria-labelledby="idle-warning-title" hidden
     data-idle-seconds="{{ idle_seconds }}" data-warning-seconds="{{ warning_seconds }}"
     data-sign-in-url="{% url 'accounts:login' %}">
  <p id="idle-warning-title"><strong>You will be signed out in <span data-idle-left>{{ warning_minutes }} minutes</span></strong>
    because there has been no activity. Anything you have not saved will be lost.</p>
  <form method="post" action="{% url 'accounts:account:keep_alive' %}">
    {% csrf_token %}
    <input type="hidden" name="next" value="{{ next }}">
    <button type="submit" class="button">Stay signed in</button>
  </form>
  <p data-idle-error hidden>Could not reach Pathways. Save your work now if you can.</p>
</div>
<script src="{% static 'js/idle-timeout.js' %}" defer></script>
"""  # noqa: E501


def former(context: dict[str, Any]) -> str:
    engine = Engine.get_default()
    builtins = [b for b in engine.builtins if b != "common.template_urls"]
    theirs = Engine(builtins=builtins, libraries=engine.libraries)
    with warnings.catch_warnings():
        # Django's own `{% csrf_token %}` calls format_html("") for "NOTPROVIDED"
        # (RemovedInDjango60Warning).
        warnings.simplefilter("ignore", DeprecationWarning)
        return theirs.from_string(FORMER).render(Context(context))


def written(request: Any, **context: Any) -> str:
    text = "{% load session_limits %}{% idle_warning %}"
    return Engine.get_default().from_string(text).render(Context({"request": request, **context}))


class IdleWarningMarkupTests(SimpleTestCase):
    def test_it_writes_what_the_template_wrote(self) -> None:
        paths = ("/staff/", '/staff/clients/?q=O\'Brien&"x"<b>&page=2')
        for path in paths:
            for token in ("a<b>&c", "NOTPROVIDED", "", None):
                with self.subTest(path=path, token=token):
                    request = RequestFactory().get(path)
                    context = {
                        "csrf_token": token,
                        "idle_seconds": 870,
                        "warning_seconds": 120,
                        "warning_minutes": 2,
                        "next": request.get_full_path(),
                    }
                    assert written(request, csrf_token=token) == former(context)

    def test_it_sends_the_page_back_escaped(self) -> None:
        request = RequestFactory().get("/staff/clients/", {"q": '"><script>'})
        out = written(request, csrf_token="t")
        script = '<script src="/static/js/idle-timeout.js" defer></script>'
        assert "<script>" not in out.replace(script, "")
        assert 'value="/staff/clients/?q=%22%3E%3Cscript%3E"' in out
