"""The WebSocket URLs (pathways.asgi): the BLS display and its control (bls.consumers)."""

from django.urls import path

from bls.consumers import ControlConsumer, DisplayConsumer

websocket_urlpatterns = [
    path("ws/bls/display/", DisplayConsumer.as_asgi()),
    path("ws/bls/control/<int:pairing_id>/", ControlConsumer.as_asgi()),
]
