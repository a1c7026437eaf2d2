"""Reads that may be served by the read replica (issue 14 §5): the scope, and the
decorator that opens it around a report's view.

The reports over the whole practice (the outcomes report, the audit report) are the
long reads that a replica takes off the primary. Which reads go where is decided by
the database router (`pathways.db_router`, in DATABASE_ROUTERS); this module only says
*when* a request is one of those reports, so that the apps that own the views (below
`pathways` in the layers) can mark them without importing the router.

A view opts in with `@reads_from_replica`, put closest to the function, under
`@role_required` and `@reauth_required`: who is signed in, their role and their
re-authentication are read before the scope opens, from the primary, so a user
disabled a moment ago is refused even while the replica lags.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar, cast

from django.http import HttpResponseBase, StreamingHttpResponse

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)

_replica_reads: ContextVar[bool] = ContextVar("pathways_replica_reads", default=False)


def replica_reads() -> bool:
    """Whether the code running now is inside a report marked `reads_from_replica`."""
    return _replica_reads.get()


def _chunks_on_replica(chunks: Iterable[Any]) -> Iterator[Any]:
    """A streamed body (the audit CSV) is read after the view has returned: open the
    scope again while each chunk is made, and only then, so that nothing the server
    does between two chunks runs inside it."""
    iterator = iter(chunks)
    while True:
        token = _replica_reads.set(True)
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        finally:
            _replica_reads.reset(token)
        yield chunk


def reads_from_replica(view: Callable[P, R]) -> Callable[P, R]:
    """Let the reads made by `view` (and by the body it streams) go to the replica.

    Writes never do (the router sends every write to the primary), nor do reads inside
    a transaction on the primary, such as the audit entry the view writes."""

    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        token = _replica_reads.set(True)
        try:
            response = view(*args, **kwargs)
        finally:
            _replica_reads.reset(token)
        if isinstance(response, StreamingHttpResponse) and not response.is_async:
            # Not async: the body is a plain iterator of bytes.
            chunks = cast(Iterator[bytes], response.streaming_content)
            response.streaming_content = _chunks_on_replica(chunks)
        return response

    return wrapped
