from __future__ import annotations

import io

from django.core.management import call_command

from consents.default_documents import DEFAULT_DOCUMENTS
from consents.models import ConsentDocument, ConsentKind
from pathways.testing import BaseTestCase, make_document


class InstallDefaultConsentsTestCase(BaseTestCase):
    def test_it_creates_version_one_of_each_form(self) -> None:
        out = io.StringIO()

        call_command("install_default_consents", stdout=out)

        assert "Created 4 consent document(s)" in out.getvalue()
        kinds = sorted(ConsentDocument.objects.values_list("kind", flat=True))
        assert kinds == sorted(ConsentKind.values)
        assert set(ConsentDocument.objects.values_list("version", flat=True)) == {1}

    def test_it_leaves_a_form_that_already_has_a_version(self) -> None:
        make_document(ConsentKind.KAP, body="The practice's own text.")

        out = io.StringIO()
        call_command("install_default_consents", stdout=out)

        assert "Created 3 consent document(s)" in out.getvalue()
        kap = ConsentDocument.objects.get(kind=ConsentKind.KAP)
        assert (kap.version, kap.body) == (1, "The practice's own text.")

    def test_it_is_idempotent(self) -> None:
        call_command("install_default_consents", stdout=io.StringIO())
        out = io.StringIO()

        call_command("install_default_consents", stdout=out)

        assert "Created 0 consent document(s)" in out.getvalue()
        assert ConsentDocument.objects.count() == len(DEFAULT_DOCUMENTS) == 4

    def test_it_ships_short_plain_texts(self) -> None:
        for document in DEFAULT_DOCUMENTS:
            with self.subTest(kind=document["kind"]):
                assert 500 < len(document["body"]) <= 2500
                for markdown in ("#", "**", "](", "\n- ", "\n* "):
                    assert markdown not in document["body"]
                assert document["body"] == document["body"].strip()

    def test_it_names_the_safety_points_in_the_ketamine_forms(self) -> None:
        by_kind = {d["kind"]: d["body"] for d in DEFAULT_DOCUMENTS}
        for kind in (ConsentKind.KAP, ConsentKind.KA_EMDR):
            with self.subTest(kind=kind):
                body = by_kind[kind]
                for phrase in (
                    "blood pressure",
                    "dissociation",
                    "nausea",
                    "ondansetron",
                    "clonidine",
                    "lorazepam",
                    "Do not drive",
                    "night's sleep",
                    "withdraw",
                ):
                    assert phrase in body, phrase
        release = by_kind[ConsentKind.ROI]
        for phrase in ("diagnoses", "medications", "scores", "prescription", "revoke"):
            assert phrase in release, phrase
