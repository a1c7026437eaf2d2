from __future__ import annotations

from django.http import HttpRequest
from django.test import RequestFactory, override_settings

from common.ip import client_ip
from pathways.testing import BaseTestCase


def request(**meta: str) -> HttpRequest:
    request = RequestFactory().get("/")
    request.META.update(meta)
    return request


class ClientIpTestCase(BaseTestCase):
    def test_it_uses_remote_addr(self) -> None:
        assert client_ip(request(REMOTE_ADDR="192.0.2.7")) == "192.0.2.7"

    def test_it_normalises_ipv6(self) -> None:
        assert client_ip(request(REMOTE_ADDR="2001:DB8:0:0::1")) == "2001:db8::1"

    def test_it_returns_none_for_garbage(self) -> None:
        assert client_ip(request(REMOTE_ADDR="not-an-ip")) is None
        assert client_ip(request(REMOTE_ADDR="")) is None

    @override_settings(USE_X_FORWARDED_FOR=False)
    def test_it_ignores_x_forwarded_for_unless_told_to_trust_it(self) -> None:
        meta = {"REMOTE_ADDR": "192.0.2.7", "HTTP_X_FORWARDED_FOR": "198.51.100.1"}

        assert client_ip(request(**meta)) == "192.0.2.7"

    @override_settings(USE_X_FORWARDED_FOR=True)
    def test_it_uses_the_proxys_address_when_trusted(self) -> None:
        meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.1"}

        assert client_ip(request(**meta)) == "198.51.100.1"

    @override_settings(USE_X_FORWARDED_FOR=True)
    def test_it_falls_back_to_remote_addr_without_the_header(self) -> None:
        assert client_ip(request(REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"

    @override_settings(USE_X_FORWARDED_FOR=True)
    def test_it_cannot_be_spoofed_through_the_proxy(self) -> None:
        # The caller sent "X-Forwarded-For: 1.2.3.4"; nginx's
        # $proxy_add_x_forwarded_for appended the real address it saw.
        meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.1"}

        assert client_ip(request(**meta)) == "198.51.100.1"
