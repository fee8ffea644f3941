"""An optional read replica for insights (docs/scaling.md, "Read replica").

With DATABASE_REPLICA_URL set, settings add a `replica` database. Reads of the `ideas` app's
models made inside `replica_reads()` (the insights views are wrapped in it) go there; every
other read, every write and every migration stays on `default`. Insights aggregate months of
signals and votes, so a replica seconds behind changes nothing they show, while the primary
keeps its capacity for votes, captures and triage. Sessions and users (the `portal`, `auth`
and `sessions` apps) are always read from `default`, so a replica's lag can never log
anyone out.

Without a `replica` database the router does nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings

REPLICA = "replica"
# Apps whose reads may go to the replica inside replica_reads().
REPLICA_APPS = frozenset({"ideas"})

_replica_reads: ContextVar[bool] = ContextVar("lode_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within this block, reads of the ideas app's models go to the replica (if any)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def read_alias() -> str:
    """The database raw SQL reads should use here: the replica inside replica_reads()."""
    return REPLICA if _replica_reads.get() and replica_configured() else "default"


def reads_from_replica(view: Callable[..., Any]) -> Callable[..., Any]:
    """A view decorator: the whole view, template rendering included, in replica_reads()."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with replica_reads():
            return view(*args, **kwargs)

    return wrapped


class ReplicaRouter:
    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if _replica_reads.get() and model._meta.app_label in REPLICA_APPS and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The replica is a copy of the primary: objects from either may relate.
        if {obj1._state.db, obj2._state.db} <= {"default", REPLICA}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # The replica follows the primary's schema through replication, never by itself.
        return False if db == REPLICA else None
