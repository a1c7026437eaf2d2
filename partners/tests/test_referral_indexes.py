"""The referral's partner is indexed once (issue 14): referral_partner_sent leads with
it, so the foreign key's own index would only cost every write."""

from __future__ import annotations

import pytest
from django.db import connection

from partners.models import Referral


@pytest.mark.django_db
def test_it_indexes_the_partner_once() -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Referral._meta.db_table)
    leading = sorted(
        name
        for name, c in constraints.items()
        if c["index"] and not c["primary_key"] and c["columns"][:1] == ["partner_id"]
    )

    assert leading == ["referral_partner_sent"]
