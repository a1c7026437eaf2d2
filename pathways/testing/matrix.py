"""The permission matrix: every URL × nine roles.

Each app lists its URLs in a table of Entry and builds the objects they point at in a
fixture; `permission_matrix(table, fixture)` turns the two into a TestCase that tries
every URL with every role of roles.MATRIX_ROLES (anonymous, a client link holder,
intake, the client's therapist, another therapist, the prescriber of the referred
partner, the same prescriber after the release is revoked, another partner's
prescriber, admin), every method it refuses, a user without a role, an inactive
user, a missing object and someone else's object. No refused answer (sign-in
redirect, 403, 404, 405) may hold any PHI of the fixture (phi.phi_sentinels).
pathways/tests/test_permission_matrix.py checks that the tables together name every
URL of the project."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db import transaction
from django.test import Client as DjangoClient
from django.test import TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Role, User
from audit.models import AuditEvent
from consents.models import ConsentKind, SignedConsent
from partners.access import ACCESS_ENDED_MESSAGE
from partners.models import Disclosure
from pathways.testing.builders import make_user
from pathways.testing.phi import body_of, leaked, phi_sentinels
from pathways.testing.roles import (
    ALLOWED,
    ANONYMOUS,
    ENDED,
    FORBIDDEN,
    INVALID,
    MATRIX_ROLES,
    NOT_FOUND,
    OUTSIDERS,
    REDIRECTED,
    SHOWN,
    SIGN_IN,
    STAFF_ROLES,
    browser_for,
    expected,
    extras,
    signed_in,
)

# The roles the fixture's users hold (kept under this name for the tables).
ROLES: tuple[str, ...] = MATRIX_ROLES
# A view answers a method it does not take with 405; these are the ones tried.
METHODS = ("GET", "POST", "PUT", "DELETE")
# A therapist sees only their own clients and a prescriber only their partner's
# referrals (404 for the rest); admin and intake see every record.
SCOPED_ROLES = (Role.THERAPIST, Role.PRESCRIBER)
# The URL namespaces of the partner portal.
PORTAL_NAMESPACES = ("portal", "portal_rx", "portal_dosing")
MISSING_PK = 999_999
STATUS = {FORBIDDEN: 403, NOT_FOUND: 404, ENDED: 403, INVALID: 200, REDIRECTED: 302}

Fixture = dict[str, Any]


@dataclass(frozen=True)
class Entry:
    """One URL of a permission matrix.

    methods: the methods the view takes, "GET", "POST" or "GET POST"; any other → 405.
    allowed: the staff roles that get through (200 for a GET, `posted` for a POST);
        roles.EVERYONE for a public page. The other roles follow roles.expected:
        anonymous and the link holder → the sign-in page; a role not allowed → 403;
        another therapist or another partner's prescriber → 404 on the client's
        objects; the prescriber after revocation → "access ended".
    args: the fixture keys of what the URL takes, in order ("client diagnosis"):
        a model gives its pk, anything else is used as it is.
    data: what a POST sends: a dict, or a function of the fixture.
    writes: an allowed POST changes the snapshot (a refused one never does).
    redirects_to: where an allowed POST lands, a function of the fixture.
    expect: what a role gets when the rule above does not say it (a role → one of
        roles.ALLOWED, SHOWN, INVALID, SIGN_IN, FORBIDDEN, NOT_FOUND, ENDED), with a
        comment why.
    posted: the status an allowed POST answers (302, or 200 for a form shown again).
    """

    methods: str
    allowed: Collection[str]
    args: str = ""
    data: dict[str, Any] | Callable[[Fixture], dict[str, Any]] | None = None
    writes: bool = False
    redirects_to: Callable[[Fixture], str] | None = None
    expect: Mapping[str, str] = field(default_factory=dict)
    posted: int = 302

    def post_data(self, practice: Fixture) -> dict[str, Any]:
        return self.data(practice) if callable(self.data) else dict(self.data or {})

    @property
    def public(self) -> bool:
        return ANONYMOUS in self.allowed


def permission_matrix(
    table: dict[str, Entry],
    fixture: Callable[[], Fixture],
    snapshot: Callable[[], object] | None = None,
    theirs: Callable[[Fixture], Fixture] | None = None,
) -> type[TestCase]:
    """A TestCase over `table`: bind it to a name starting with Test in the app's
    tests/test_permission_matrix.py.

    `fixture()` builds what the URLs point at, once per class, and returns a dict:
    "users" (a user per staff role, each of whom may see every object the URLs
    take: the prescriber works for the partner the client is referred to, under a
    release in force) and the objects by the names Entry.args uses. Its clients
    come from make_phi_client. The matrix adds the derived roles' users and links
    (roles.extras) and reads the PHI sentinels after it.
    `snapshot()` reads what the POSTs could change: a refused request must leave it
    as it was.
    `theirs(practice)` builds someone else's objects, for the 404 checks: a dict of
    "owner" (the clinician they belong to), "their_name" (text of theirs that a 404
    must not show) and, under the fixture's names, the objects that replace them."""
    if snapshot is None and any(entry.writes for entry in table.values()):
        raise ValueError("an entry that writes needs a snapshot to see it")
    bases: tuple[type, ...] = (MatrixTests,) if theirs is None else (TheirsTests,)
    return type(
        "PermissionMatrix",
        bases,
        {
            "__module__": fixture.__module__,
            "__test__": True,
            "permission_table": table,
            "fixture": staticmethod(fixture),
            "snapshot": staticmethod(snapshot or (lambda: None)),
            "theirs": staticmethod(theirs or (lambda practice: {})),
        },
    )


@contextmanager
def _rolled_back() -> Iterator[None]:
    # Each request of a loop starts from the fixture as built: undo what it wrote.
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


class MatrixTests(TestCase):
    """The tests of a permission matrix (see permission_matrix); none of its own."""

    __test__ = False
    permission_table: ClassVar[dict[str, Entry]]
    fixture: Callable[[], Fixture]
    snapshot: Callable[[], object]
    theirs: Callable[[Fixture], Fixture]
    practice: Fixture
    others: Fixture
    more: Fixture
    phi: list[str]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.practice = cls.fixture()
        cls.others = cls.theirs(cls.practice)
        cls.more = extras(cls.practice)
        cls.phi = phi_sentinels()

    # --- helpers -------------------------------------------------------------

    def cases(self, *, public: bool = True) -> list[tuple[str, Entry, str]]:
        table = self.permission_table
        return [
            (name, table[name], m)
            for name in sorted(table)
            if public or not table[name].public
            for m in table[name].methods.split()
        ]

    def url(self, name: str, objects: Fixture | None = None) -> str:
        objects = {**self.practice, **(objects or {})}
        args = [_pk(objects[key]) for key in self.permission_table[name].args.split()]
        return reverse(name, args=args)

    def send(
        self, client: DjangoClient, name: str, method: str, objects: Fixture | None = None
    ) -> Any:
        """Send `method` to the URL `name`, with the entry's data for a POST; `objects`
        replace the fixture's in the URL."""
        url = self.url(name, objects)
        if method == "GET":
            return client.get(url)
        if method == "POST":
            return client.post(url, self.permission_table[name].post_data(self.practice))
        return client.generic(method, url)

    def client_as(self, user: User | None) -> DjangoClient:
        return DjangoClient() if user is None else signed_in(user)

    def client_for(self, role: str) -> DjangoClient:
        """A browser as one of MATRIX_ROLES (inside _rolled_back(): the revoked
        prescriber's releases are revoked first)."""
        return browser_for(role, self.practice, self.more)

    def expected(self, entry: Entry, role: str) -> str:
        return expected(role, entry.allowed, entry.args, self.practice, entry.expect)

    def assert_sent_to_sign_in(self, response: Any, url: str) -> None:
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], f"/staff/sign-in/?next={url}")

    def assert_no_phi(self, response: Any) -> None:
        self.assertEqual(leaked(response, self.phi), [], "the answer holds PHI")

    def assert_answer(self, response: Any, outcome: str, name: str, method: str) -> None:
        """The response is `outcome` (roles.ALLOWED, …); a refusal holds no PHI."""
        entry = self.permission_table[name]
        outcome = ALLOWED if outcome == SHOWN else outcome
        if outcome == SIGN_IN:
            self.assert_sent_to_sign_in(response, self.url(name))
        elif outcome == ALLOWED and method == "GET":
            self.assertEqual(response.status_code, 200)
        elif outcome == ALLOWED:
            self.assertEqual(response.status_code, entry.posted)
            if entry.posted == 302:
                self.assertFalse(response["Location"].startswith("/staff/sign-in/"))
        else:
            self.assertEqual(response.status_code, STATUS[outcome])
        if outcome == REDIRECTED:
            self.assertFalse(response["Location"].startswith("/staff/sign-in/"))
        if outcome == ENDED:
            self.assertIn(ACCESS_ENDED_MESSAGE.replace("'", "&#x27;"), body_of(response))
        if outcome != ALLOWED:
            self.assert_no_phi(response)

    # --- the tests -----------------------------------------------------------

    def test_it_gives_each_role_what_the_table_says(self) -> None:
        for name, entry, method in self.cases():
            for role in MATRIX_ROLES:
                outcome = self.expected(entry, role)
                with (
                    self.subTest(name=name, method=method, role=role, expect=outcome),
                    _rolled_back(),
                ):
                    self.check(name, entry, method, role, outcome)

    def check(self, name: str, entry: Entry, method: str, role: str, outcome: str) -> None:
        browser = self.client_for(role)
        before = self.snapshot()
        disclosures = Disclosure.objects.count()
        ended = AuditEvent.objects.filter(action="referral.access_ended").count()

        response = self.send(browser, name, method)

        self.assert_answer(response, outcome, name, method)
        if outcome not in (ALLOWED, SHOWN):
            self.assertEqual(self.snapshot(), before, "a refused request wrote")
            self.assertEqual(Disclosure.objects.count(), disclosures, "a refusal disclosed")
        if outcome == ENDED:
            self.assertEqual(
                AuditEvent.objects.filter(action="referral.access_ended").count(),
                ended + 1,
                "the refusal was not audited",
            )
        if outcome == ALLOWED and role in OUTSIDERS and not entry.public:
            # The role without the client: a page it may see shows nothing of them.
            self.assert_no_phi(response)
        if method == "POST" and outcome in (ALLOWED, SHOWN) and role in STAFF_ROLES:
            if entry.writes:
                self.assertNotEqual(self.snapshot(), before, "an allowed POST wrote nothing")
            if entry.redirects_to:
                self.assertEqual(response["Location"], entry.redirects_to(self.practice))

    def test_it_refuses_every_other_method(self) -> None:
        for name in sorted(self.permission_table):
            entry = self.permission_table[name]
            for method in sorted(set(METHODS) - set(entry.methods.split())):
                for role in MATRIX_ROLES:
                    with self.subTest(name=name, method=method, role=role), _rolled_back():
                        response = self.send(self.client_for(role), name, method)

                        self.assertEqual(response.status_code, 405)
                        self.assert_no_phi(response)

    def test_it_refuses_a_user_without_a_role(self) -> None:
        nobody = make_user("nobody", "")
        for name, _, method in self.cases(public=False):
            with self.subTest(name=name, method=method), _rolled_back():
                before = self.snapshot()

                response = self.send(self.client_as(nobody), name, method)

                self.assertEqual(response.status_code, 403)
                self.assert_no_phi(response)
                self.assertEqual(self.snapshot(), before)

    def test_it_sends_an_inactive_user_to_sign_in(self) -> None:
        # An inactive user's session no longer authenticates, whatever their role.
        for name, entry, method in self.cases(public=False):
            role = next(r for r in STAFF_ROLES if r in entry.allowed)
            with self.subTest(name=name, method=method, role=role), _rolled_back():
                user = self.practice["users"][role]
                client = self.client_as(user)
                User.objects.filter(pk=user.pk).update(is_active=False)
                before = self.snapshot()

                response = self.send(client, name, method)

                self.assert_sent_to_sign_in(response, self.url(name))
                self.assert_no_phi(response)
                self.assertEqual(self.snapshot(), before)

    def test_it_answers_404_for_a_missing_object(self) -> None:
        for name, entry, method in self.cases(public=False):
            keys = [k for k in entry.args.split() if hasattr(self.practice[k], "pk")]
            if not keys:
                continue
            role = next(r for r in STAFF_ROLES if r in entry.allowed)
            with self.subTest(name=name, method=method, role=role), _rolled_back():
                missing = dict.fromkeys(keys, MISSING_PK)

                response = self.send(self.client_for(role), name, method, missing)

                self.assertEqual(response.status_code, 404)
                self.assert_no_phi(response)

    def test_it_names_every_url_of_its_namespaces(self) -> None:
        namespaces = {name.rpartition(":")[0] for name in self.permission_table}

        names = {name for name in url_names(("",)) if name.rpartition(":")[0] in namespaces}

        self.assertEqual(set(self.permission_table), names)

    def test_it_can_revoke_the_release_a_portal_url_needs(self) -> None:
        # Without a release in force the "after revocation" role would test nothing.
        portal = [
            name
            for name, entry in self.permission_table.items()
            if name.partition(":")[0] in PORTAL_NAMESPACES and entry.args
        ]
        if portal:
            self.assertTrue(
                SignedConsent.objects.in_force().filter(document__kind=ConsentKind.ROI).exists(),
                f"the fixture has no release in force for {portal}",
            )


class TheirsTests(MatrixTests):
    """The check of someone else's objects, for a matrix given `theirs`."""

    __test__ = False

    def test_it_answers_404_for_someone_elses_object(self) -> None:
        # Someone else's object is answered exactly like one that does not exist,
        # for a role that sees only its own; the owner gets through.
        theirs = {k: v for k, v in self.others.items() if k not in ("owner", "their_name")}
        for name, entry, method in self.cases():
            if not theirs.keys() & set(entry.args.split()):
                continue
            for role in (ANONYMOUS, *STAFF_ROLES):
                with self.subTest(name=name, method=method, role=role), _rolled_back():
                    before = self.snapshot()

                    response = self.send(self.client_for(role), name, method, theirs)

                    if role == ANONYMOUS:
                        self.assert_sent_to_sign_in(response, self.url(name, theirs))
                    elif role not in entry.allowed:
                        self.assertEqual(response.status_code, 403)
                    elif role in SCOPED_ROLES:
                        self.assertEqual(response.status_code, 404)
                        self.assertNotIn(self.others["their_name"], response.content.decode())
                        self.assertEqual(self.snapshot(), before)
            with self.subTest(name=name, method=method, role="owner"), _rolled_back():
                response = self.send(self.client_as(self.others["owner"]), name, method, theirs)

                self.assertEqual(response.status_code, 200 if method == "GET" else 302)


def url_routes() -> list[tuple[str, str]]:
    """Every URL of the project: (its name, "namespace:name", or "<unnamed route>";
    its whole route, the includes' prefixes joined)."""
    found: list[tuple[str, str]] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, route, ns)
            elif isinstance(pattern, URLPattern):
                found.append((namespace + (pattern.name or f"<unnamed {route}>"), route))

    walk(get_resolver().url_patterns, "", "")
    return found


def url_names(prefixes: tuple[str, ...] = ("",)) -> set[str]:
    """The names ("namespace:name") of the project's URLs whose route starts with
    one of `prefixes` ("" for every URL)."""
    return {name for name, route in url_routes() if route.startswith(prefixes)}
