"""The bulk practice built in one process and inserted by another, on two cores.

`in_two_processes(build, say)` forks. The child runs `build(send, say)`: it makes the
rows (pure Python: the practice's past, the audit chain's hashes) and sends each batch
down a pipe; it never touches the database, whose connection stays the parent's. The
parent holds the transaction: it inserts each batch as it comes, in the order sent,
while the child makes the next. What `build` returns comes back the same way.

Why not a thread (as until 4 December 2026): see `_bulk_common.Writer`. Why a fork and
not `multiprocessing`'s spawn: the child starts with the practice the parent has made
so far (its users, its tables' next ids, the chain's head), with no import or setup
again, and inherits nothing it may use but the pipe.

Failures: an exception in the child is sent as its traceback and raised here, so the
transaction rolls back as before; an exception here (an INSERT refused, Ctrl-C) kills
the child. Where `os.fork` is missing (Windows), `build` runs here, in turn.
"""

from __future__ import annotations

import os
import signal
import traceback
from collections.abc import Callable
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from pathways.management.commands._bulk_common import Writer

T = TypeVar("T")
Say = Callable[[str], None]
Build = Callable[[Say], T]


class BuildFailedError(Exception):
    """The building process stopped with an error (its traceback is the message)."""


def in_two_processes(writer: Writer, build: Build[T], say: Say) -> T:
    """Run `build(say)` in a child whose `writer` sends its batches here; insert them."""
    if not hasattr(os, "fork"):
        return build(say)
    receive, send = Pipe(duplex=False)
    # Ctrl-C held off across the fork: the child must never unwind into the caller's
    # code (its connection, its transaction), so it takes the default action there
    # (the child ends; the parent, interrupted too, stops and rolls back).
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pid = os.fork()
    except BaseException:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        receive.close()
        send.close()
        raise
    if pid == 0:  # the child: build, send, and leave without Django's or Python's exit
        status = 1
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
            receive.close()
            status = _child(writer, build, send)
        finally:
            os._exit(status)
    try:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # a Ctrl-C held: now
        send.close()
        found: T = _serve(receive, writer, say)
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        raise
    finally:
        os.waitpid(pid, 0)
        receive.close()
    return found


def _child(writer: Writer, build: Build[T], send: Connection) -> int:
    writer.send = lambda sql, rows: send.send(("insert", sql, rows))
    try:
        found = build(lambda text: send.send(("say", text)))
        send.send(("done", found))
    except BaseException:
        send.send(("error", traceback.format_exc()))
        return 1
    finally:
        send.close()
    return 0


def _serve(receive: Connection, writer: Writer, say: Say) -> Any:
    while True:
        try:
            kind, *payload = receive.recv()
        except EOFError:
            raise BuildFailedError("The building process ended without a word.") from None
        if kind == "insert":
            writer.insert(*payload)  # here, its `send` is None: into the database
        elif kind == "say":
            say(*payload)
        elif kind == "done":
            return payload[0]
        else:
            raise BuildFailedError(payload[0])
