"""`{% idle_warning %}`: the idle warning of templates/base.html, for a signed-in user
(static/js/idle-timeout.js shows it and counts down).

Written from a format string, not an inclusion template: on every staff page the
template's nodes cost some 5,000 bytecodes (`make bench-work`, issue 14). The markup is
what accounts/_idle_warning.html wrote, character for character
(accounts/tests/test_idle_warning_markup.py renders the former template beside it).
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from accounts.session_store import screen_idle_seconds
from common.reversing import Reverser
from common.template_urls import current_app
from common.template_widgets import csrf_input

register = template.Library()

WARNING = """
<div id="idle-warning" class="idle-warning" role="alertdialog" aria-labelledby="idle-warning-title" hidden
     data-idle-seconds="{idle_seconds}" data-warning-seconds="{warning_seconds}"
     data-sign-in-url="{sign_in}">
  <p id="idle-warning-title"><strong>You will be signed out in <span data-idle-left>{warning_minutes} minutes</span></strong>
    because there has been no activity. Anything you have not saved will be lost.</p>
  <form method="post" action="{keep_alive}">
    {csrf}
    <input type="hidden" name="next" value="{next}">
    <button type="submit" class="button">Stay signed in</button>
  </form>
  <p data-idle-error hidden>Could not reach Pathways. Save your work now if you can.</p>
</div>
<script src="{script}" defer></script>
"""  # noqa: E501  (the markup as the page has it)


@register.simple_tag(takes_context=True)
def idle_warning(context: template.Context) -> SafeString:
    request = context.get("request")
    url = Reverser(current_app(context))  # as the template's `{% url %}` found it
    minutes = settings.SESSION_WARNING_MINUTES
    markup = WARNING.format(
        idle_seconds=escape(screen_idle_seconds()),
        warning_seconds=escape(minutes * 60),
        warning_minutes=escape(minutes),
        sign_in=escape(url("accounts:login")),
        keep_alive=escape(url("accounts:account:keep_alive")),
        csrf=csrf_input(context.get("csrf_token")),
        next=escape(request.get_full_path() if request is not None else ""),
        script=escape(static("js/idle-timeout.js")),
    )
    # Every value was escaped as it went in; the rest is the code's markup.
    return mark_safe(markup)  # noqa: S308
