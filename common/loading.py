"""Our models' rows made into instances without running `Model.__init__` (issue 14).

Why: every row a query reads becomes an instance through `Model.from_db`, which calls
`Model.__init__` with the row's values: the signals `pre_init` and `post_init` sent,
and each field set one by one through `setattr` (a foreign key's through its
descriptor), a Python loop of about ten bytecodes per field. A client has 40 fields,
so a page of 25 clients with their therapists spent more on making the instances than
on its SQL; it was the most costly function of the pages measured at 10,000 clients
(`make bench-work`: 5-12% of the client list, the inbox, the calendar week and the
partner portal's home).

How: Django documents `from_db` as the hook that customises loading ("Customizing
model loading", Model reference). `from_db` here makes the instance with `__new__` and
puts the row's values into its `__dict__` in one call, with a `ModelState` that says
where it came from, which is what `Model.__init__` leaves for a row of a query: the
same attributes, a deferred field absent (loaded when read, as before), no related
object cached. It is installed (`install`, from `pathways.apps`) on the models of the
project's own apps only, and only where that equivalence holds: neither the model nor
any class it inherits from defines `__init__`, `__setattr__` or `from_db`, it is not a
proxy, and no field has a descriptor that does more than store the value; a model left
out keeps Django's even if a parent was given ours. When anything listens to
`pre_init` or `post_init` for the model (none does today), the row goes through Django's
`from_db`. `common/tests/test_loading.py` compares the two on every installed model, and
lists the models of ours left out with their reason (none today): a new one fails it
until it is added there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import ModelSignal, post_init, pre_init
from django.dispatch.dispatcher import NO_RECEIVERS

# Django's own, for the rows that must go through `__init__`.
_django_from_db = Model.from_db.__func__  # type: ignore[attr-defined]

# The descriptors Django puts on a concrete field's attribute: DeferredAttribute only
# reads (a value in __dict__ hides it); a foreign key's also forgets a cached related
# object when its id changes, and a new instance has none.
_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)


def _quiet(signal: ModelSignal, sender: type[Model]) -> bool:
    """Nothing listens to `signal` for `sender`: Django's own test before it sends one
    (Signal.send), which reads the answer its last look kept; else that look."""
    if not signal.receivers or signal.sender_receivers_cache.get(sender) is NO_RECEIVERS:
        return True
    return not signal.has_listeners(sender)


def from_db(
    cls: type[Model], db: str | None, field_names: Sequence[str], values: Sequence[Any]
) -> Model:
    """The instance of a row, as `Model.from_db` makes it, without `__init__`."""
    if not (_quiet(pre_init, cls) and _quiet(post_init, cls)):
        return _django_from_db(cls, db, field_names, values)  # type: ignore[no-any-return]
    new = cls.__new__(cls)
    state = ModelState()
    state.adding = False
    state.db = db
    attributes = new.__dict__
    attributes["_state"] = state
    # `field_names` are the attnames of the row's columns, in the row's order.
    attributes.update(zip(field_names, values, strict=True))
    return new


def why_not(model: type[Model]) -> str:
    """Why `model` keeps Django's `from_db` ("" when it can take ours)."""
    if model._meta.abstract or model._meta.proxy:
        return "abstract or proxy"
    # `Model.__init__` ends with `super().__init__()` and sets each field through
    # `setattr`: an `__init__` or a `__setattr__` of the model, of a parent or of a
    # mixin anywhere in its bases would be skipped by ours.
    for klass in model.__mro__:
        if klass in (Model, object):
            continue
        for name in ("__init__", "__setattr__"):
            if name in klass.__dict__:
                return f"{klass.__name__} defines {name}"
    if model.from_db.__func__ not in (_django_from_db, from_db):  # type: ignore[attr-defined]
        return "it defines from_db"
    for field in model._meta.concrete_fields:
        descriptor = None
        for klass in model.__mro__:
            if field.attname in klass.__dict__:
                descriptor = klass.__dict__[field.attname]
                break
        if descriptor is not None and type(descriptor) not in _PLAIN_DESCRIPTORS:
            return f"{field.attname} has a {type(descriptor).__name__}"
    return ""


def install(models: Iterable[type[Model]]) -> list[type[Model]]:
    """Give each of `models` that can take it the `from_db` above; the ones given.

    A model that cannot keeps Django's, even when a parent it inherits from (a proxy's,
    a child table's) was given ours."""
    models = list(models)
    given = [model for model in models if not why_not(model)]
    for model in given:
        model.from_db = classmethod(from_db)  # type: ignore[assignment,method-assign]
    for model in models:
        if model not in given and model.from_db.__func__ is from_db:  # type: ignore[attr-defined]
            model.from_db = classmethod(_django_from_db)  # type: ignore[assignment,method-assign]
    return given
