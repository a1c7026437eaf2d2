"""Who may reach the audit report (pathways/audit_report.py, mounted at /staff/audit/;
see pathways.testing.permission_matrix): the practice admin only.

The export also needs a re-authentication within REAUTH_MINUTES (accounts.reauth);
the matrix's users have just re-authenticated (pathways.testing.matrix), so that the
table is about roles.
pathways/tests/test_audit_report.py covers the re-authentication itself."""

from __future__ import annotations

from accounts.models import Role
from pathways.testing import STAFF_ROLES, Entry, Fixture, make_user, permission_matrix

ADMIN = {Role.ADMIN}

MATRIX: dict[str, Entry] = {
    "audit:report": Entry("GET", ADMIN),
    "audit:export": Entry("GET", ADMIN),
}


def practice() -> Fixture:
    return {"users": {role: make_user(f"user-{role}", role) for role in STAFF_ROLES}}


class TestAuditReportMatrix(permission_matrix(MATRIX, practice)):  # type: ignore[misc]  # a class built at run time
    pass
