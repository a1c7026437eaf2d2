"""Who does something: the value a service receives instead of the HTTP request.

A service runs for a signed-in user (a view), for a client answering a secret link
(no account: the link is the key), or for the system (a scheduled task, a
management command). It needs the user (for role checks and `created_by`) and the
address (for the audit trail), never the request itself. Views build an Actor with
`actor_from(request)`; code that is not a request says what it is
(`Actor.system()`, `Actor.client_on_link(ip)`) instead of faking a request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.http import HttpRequest

from accounts.models import User
from common.ip import client_ip

ActorKind = Literal["user", "client_link", "system", "anonymous"]


@dataclass(frozen=True)
class Actor:
    user: User | None
    ip: str | None
    kind: ActorKind

    @classmethod
    def for_user(cls, user: User, ip: str | None = None) -> Actor:
        return cls(user=user, ip=ip, kind="user")

    @classmethod
    def client_on_link(cls, ip: str | None) -> Actor:
        """A client (no account) acting through a one-time link they were sent."""
        return cls(user=None, ip=ip, kind="client_link")

    @classmethod
    def system(cls) -> Actor:
        """The practice's own scheduled work: no person, no address."""
        return cls(user=None, ip=None, kind="system")

    @classmethod
    def anonymous(cls, ip: str | None) -> Actor:
        """Someone not signed in, known only by their address: a failed sign-in,
        a lock-out. (Who they claimed to be goes in the audit entry's detail.)"""
        return cls(user=None, ip=ip, kind="anonymous")

    @property
    def staff(self) -> User:
        """The signed-in user, for a service only staff may call."""
        if self.user is None:
            raise PermissionError("This action needs a signed-in member of staff.")
        return self.user


def actor_from(request: HttpRequest) -> Actor:
    """The Actor of a request: its signed-in user, or a client on a link."""
    user = request.user
    ip = client_ip(request)
    if isinstance(user, User) and user.is_authenticated:
        return Actor.for_user(user, ip)
    return Actor.client_on_link(ip)
