"""A dose and a prescription revision at the same moment (issue 8: "under a row lock
where two requests could race"). Whichever commits first, the dose is judged by the
version in force when it is written: never stored under a version already superseded.

Needs a database that serves two writers at once with row locks (PostgreSQL).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from accounts.models import Role
from audit.models import AuditEvent
from dosing import services
from dosing.models import Administration
from dosing.tests.support import actor_as, ago, cleared, open_record, revise
from pathways.testing import Job, make_partner, make_prescriber, make_user
from pathways.testing import run_together as shared_run_together
from prescriptions import services as rx_services
from prescriptions.models import Prescription

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*jobs: Job) -> list[str]:
    return shared_run_together(
        *jobs, refused=(services.DosingError, rx_services.PrescriptionError)
    )


@pytest.mark.parametrize("attempt", range(5))
def test_a_dose_racing_a_lower_cap_is_never_stored_under_the_old_version(attempt: int) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database cannot serve two writers at once")
    partner = make_partner("Blue Ridge Psychiatry")
    theo = make_user("theo", Role.THERAPIST)
    ada = make_user("ada", Role.ADMIN)
    priya = make_prescriber("priya", partner)
    _ready, record = open_record(theo, priya, partner)
    cleared(record, theo, minutes_ago=20)
    v1 = record.prescription

    outcomes = run_together(
        lambda: str(
            services.administration_add(
                actor=actor_as(theo),
                record=record,
                kind="dose",
                dose_mg=Decimal(100),
                given_at=ago(1),
                given_by=theo,
                witnessed_by=ada,
            ).pk
        ),
        lambda: str(revise(priya, v1, dose_mg=Decimal(80)).pk),
    )

    assert not [o for o in outcomes if o.startswith(("<", "Operational", "Integrity"))], outcomes
    v2 = Prescription.objects.get(version=2)
    revised = AuditEvent.objects.get(action="prescription.revise")
    given = Administration.objects.first()
    if given is not None:
        # Stored: it must have been written while version 1 was still in force.
        dosed = AuditEvent.objects.get(action="dosing.administer")
        assert given.prescription_id == v1.pk
        assert dosed.pk < revised.pk, outcomes
    else:
        assert any("80.0 mg of prescription version 2" in o for o in outcomes), outcomes
    assert v2.dose_mg == Decimal(80)


@pytest.mark.parametrize("attempt", range(3))
def test_two_tabs_giving_the_dose_at_once_store_one(attempt: int) -> None:
    # Two clinicians press "Record dose" together: the record and its prescription
    # chain are locked before the check, so the second sees the first dose and is
    # refused (a further dose is a booster, under its own rules).
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database cannot serve two writers at once")
    partner = make_partner("Blue Ridge Psychiatry")
    theo = make_user("theo", Role.THERAPIST)
    ada = make_user("ada", Role.ADMIN)
    priya = make_prescriber("priya", partner)
    _ready, record = open_record(theo, priya, partner)
    cleared(record, theo, minutes_ago=20)

    def dose() -> str:
        return str(
            services.administration_add(
                actor=actor_as(theo),
                record=record,
                kind="dose",
                dose_mg=Decimal(100),
                given_at=ago(1),
                given_by=theo,
                witnessed_by=ada,
            ).pk
        )

    outcomes = run_together(dose, dose)

    assert not [o for o in outcomes if o.startswith(("<", "Operational", "Integrity"))], outcomes
    assert Administration.objects.filter(record=record).count() == 1, outcomes
    assert len([o for o in outcomes if o.startswith("refused")]) == 1, outcomes
