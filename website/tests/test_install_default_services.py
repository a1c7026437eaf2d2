from __future__ import annotations

import io

from django.core.management import call_command

from pathways.testing import BaseTestCase
from website.default_services import DEFAULT_SERVICES
from website.models import Service


class InstallDefaultServicesTestCase(BaseTestCase):
    def test_it_creates_the_missing_services_and_keeps_edits(self) -> None:
        self.service.summary = "Edited by the practice."
        self.service.save()
        out = io.StringIO()

        call_command("install_default_services", stdout=out)

        assert "Created 3 service page(s)" in out.getvalue()
        expected = sorted(str(entry["slug"]) for entry in DEFAULT_SERVICES)
        assert sorted(Service.objects.values_list("slug", flat=True)) == expected
        assert Service.objects.get(slug="kap").summary == "Edited by the practice."

    def test_it_is_idempotent(self) -> None:
        call_command("install_default_services", stdout=io.StringIO())
        out = io.StringIO()

        call_command("install_default_services", stdout=out)

        assert "Created 0 service page(s)" in out.getvalue()
        assert Service.objects.count() == len(DEFAULT_SERVICES)
