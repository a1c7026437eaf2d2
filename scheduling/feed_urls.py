from django.urls import re_path

from scheduling import feed

app_name = "calendar_feed"
urlpatterns = [
    # The token is the key (43 URL-safe characters from secrets.token_urlsafe(32)).
    re_path(r"^(?P<token>[A-Za-z0-9_-]{20,100})\.ics$", feed.feed, name="feed"),
]
