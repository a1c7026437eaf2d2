"""A list of values as one query parameter: `InJson(column, json_list(values))`.

Why: `field__in=[…]` writes one placeholder per value, and the ORM prepares each value
through the field on every query, so a filter over a page's 25 e-mails, phones and
names cost more to build than the database took to answer it (the inbox's duplicate
check, issue 14); and its SQL changes with the number of values, so it cannot be
compiled once (common.prepared). Here the values go as one JSON array, which the
database unpacks, and the SQL is the same text for any number of values:

- SQLite: `column IN (SELECT value FROM json_each(%s))`, each value looked up in the
  column's index ("LIST SUBQUERY … SEARCH … USING INDEX"), an OR of several such
  conditions as a MULTI-INDEX OR;
- PostgreSQL: `column = ANY(ARRAY(SELECT jsonb_array_elements_text(%s::jsonb)))`: the
  array is made once (an InitPlan) and each value looked up in the index, an OR of
  several as a BitmapOr; `IN (subquery)` inside an OR is a hashed SubPlan over a
  sequential scan of the whole table.

intake/tests/test_duplicates_plan.py and pathways/tests/test_explain_pages.py read the
plans. The values are compared as the database holds them: texts, as given (no field
preparation: the caller passes what the column stores, e.g. lower-cased e-mails for an
index on LOWER(email)).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import BooleanField, Expression, F


def json_list(values: Iterable[str]) -> str:
    """The values, sorted and without repeats, as the JSON text `InJson` reads."""
    return json.dumps(sorted(set(values)), ensure_ascii=False)


class SubqueryIn(Expression):
    """`<column> IN (<subquery>)`, a condition for `filter()` or a `Q`, written as each
    database serves it through the column's index (above); `subquery` is SQL of its own
    (no outer reference) with `params`, one per database."""

    conditional = True

    def __init__(self, column: Expression | str, sqlite: str, postgresql: str, text: str) -> None:
        super().__init__(output_field=BooleanField())
        self.column = F(column) if isinstance(column, str) else column
        self.sqlite, self.postgresql, self.text = sqlite, postgresql, text

    def get_source_expressions(self) -> list[Any]:
        return [self.column]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.column,) = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        column, params = compiler.compile(self.column)
        return f"{column} IN ({self.sqlite})", (*params, self.text)

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        column, params = compiler.compile(self.column)
        return f"{column} = ANY(ARRAY({self.postgresql}))", (*params, self.text)


class InJson(SubqueryIn):
    """The column's value is one of the JSON array's texts (`json_list`)."""

    def __init__(self, column: Expression | str, text: str) -> None:
        # SQLite's JSON functions: built in since 3.38, and in most builds before.
        sqlite = "SELECT value FROM json_each(%s)"
        super().__init__(column, sqlite, "SELECT jsonb_array_elements_text(%s::jsonb)", text)
