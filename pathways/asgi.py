"""The ASGI entry point: HTTP goes to Django, WebSockets to the BLS display and its
control (bls.routing). Served by daphne: `manage.py runserver` (daphne is the first
installed app) in development, `daphne pathways.asgi:application` in production."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pathways.settings")
# Django is set up first: the routing imports the consumers, which import models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from bls.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # The Origin header must name one of ALLOWED_HOSTS: another site's page cannot
        # open a socket with the therapist's session cookie (cross-site WebSocket hijacking).
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
