"""Shared test helpers: the factories of every app (builders names those of each
app's tests/factories.py in one place), the base TestCase with a user per role
(cases), a request for calling a view directly (requests), and the permission-matrix
factory (matrix). Tests import every name from the package itself (pathways.testing),
never from its modules, which may move."""

from pathways.testing.builders import (
    PASSWORD,
    make_client,
    make_consent_request,
    make_course,
    make_document,
    make_message,
    make_partner,
    make_prescriber,
    make_prescription,
    make_referral,
    make_request,
    make_service,
    make_session,
    make_signed_consent,
    make_user,
)
from pathways.testing.cases import BaseTestCase, reauthenticate
from pathways.testing.matrix import (
    ANONYMOUS,
    CHECKED_PREFIXES,
    METHODS,
    MISSING_PK,
    ROLES,
    SCOPED_ROLES,
    STAFF_ROLES,
    Entry,
    Fixture,
    MatrixTests,
    TheirsTests,
    permission_matrix,
    url_names,
)
from pathways.testing.requests import request_for

__all__ = [
    "ANONYMOUS",
    "CHECKED_PREFIXES",
    "METHODS",
    "MISSING_PK",
    "PASSWORD",
    "ROLES",
    "SCOPED_ROLES",
    "STAFF_ROLES",
    "BaseTestCase",
    "Entry",
    "Fixture",
    "MatrixTests",
    "TheirsTests",
    "make_client",
    "make_consent_request",
    "make_course",
    "make_document",
    "make_message",
    "make_partner",
    "make_prescriber",
    "make_prescription",
    "make_referral",
    "make_request",
    "make_service",
    "make_session",
    "make_signed_consent",
    "make_user",
    "permission_matrix",
    "reauthenticate",
    "request_for",
    "url_names",
]
