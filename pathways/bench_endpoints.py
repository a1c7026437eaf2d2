"""Two instruments for `make bench` (issue 14 §2), there only when BENCH_ENDPOINTS=true.

- The floor, `/bench/floor/`: a bare view behind the whole middleware stack, so that
  the bench measures what the framework and the middleware cost on this machine and
  judges every page against it. Its URL is not mounted otherwise (a 404).
- `QueryCountMiddleware`: the number of SQL queries a request made, in the response's
  `X-Bench-Queries` header. It is first in MIDDLEWARE, so the session's and the audit
  middleware's queries count too; when the setting is off it raises MiddlewareNotUsed
  and Django leaves it out of the chain. A streamed response's queries made while it
  streams are not counted (none of the pages the bench asks for streams).

Production does not set BENCH_ENDPOINTS: the header would tell anyone how much work
a page does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import URLResolver, include, path

QUERY_COUNT_HEADER = "X-Bench-Queries"


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"floor\n", content_type="text/plain; charset=utf-8")


def urlpatterns() -> list[URLResolver]:
    """The bench's URLs for the project's URLconf: none unless BENCH_ENDPOINTS."""
    if not settings.BENCH_ENDPOINTS:
        return []
    return [path("bench/", include([path("floor/", floor, name="floor")]))]


class _Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


class QueryCountMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not settings.BENCH_ENDPOINTS:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        counter = _Counter()
        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response[QUERY_COUNT_HEADER] = str(counter.count)
        return response
