"""Caching where it pays: what anonymous visitors read most, the forum's first pages and the
roadmap. See docs/scaling.md ("Caching").

- **Anonymous visitors only.** Signed-in people see their own votes, and the company's
  people see internal ideas, so their pages are always computed; internal ideas can never
  enter the cache because its reads run as an anonymous visitor.
- **The page's body, not the page.** The forum list caches its rows together with the HTML
  rendered from them (everything under the navigation: rows, sort, filters, pagination), so
  a warm visit renders only base.html around it: two cache reads, no other query. The
  roadmap caches its rows. Each response still renders its own CSRF token, CSP nonce and
  messages, which live in base.html, outside what is cached.
- **Generations, not guesses.** Every key carries a generation number. The services bump it
  after every write that changes what these pages show (votes, comments, recounts), and a
  receiver below bumps it whenever an Idea or a Category is saved or deleted (services and
  the admin alike). The bump runs once the transaction commits, so the next anonymous
  request after a vote sees it, whichever app server answers: the cache is shared.
- **A bounded worst case.** Entries also expire after `LODE_ANON_CACHE_SECONDS` (60 s by
  default; 0 turns caching off): the longest a change that bypasses both (raw SQL, a bulk
  load, the clock moving the roadmap's 90-day window) stays invisible to visitors.

The review queue's filter counts use the same machinery with their own generation
(`triage_counts`).

A cache that fails (Redis down) is logged and skipped: pages are computed as if uncached.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

logger = logging.getLogger(__name__)

GENERATION_KEY = "lode:anon:generation"
TRIAGE_GENERATION_KEY = "lode:triage:generation"
KEY_PREFIX = "lode:anon"


def timeout() -> int:
    return settings.LODE_ANON_CACHE_SECONDS


# With the database cache (the default), generations live in PostgreSQL sequences
# (migration 0015): reading one is a single SELECT and bumping one a nextval(), which takes
# no lock and waits for no disk, where the cache's own increment is a read, a cull count and
# an update in a transaction of their own: a vote then costs one query for its bump, not
# seven. A sequence never goes back, not even after a crash, so a number is never reused.
SEQUENCES = {
    GENERATION_KEY: "lode_generation_anon",
    TRIAGE_GENERATION_KEY: "lode_generation_triage",
}


def _sequence(key: str) -> tuple[str, str] | None:
    """(database alias, sequence name) when this generation lives in a sequence."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if key in SEQUENCES and isinstance(backend, DatabaseCache):
        # The primary, as for the cache's writes: a replica could lag behind a bump.
        return router.db_for_write(backend.cache_model_class), SEQUENCES[key]
    return None


def generation(key: str = GENERATION_KEY) -> int:
    """The current generation; a missing one (a fresh or flushed cache) starts from the
    clock, so it never repeats a number whose entries might still be stored."""
    if sequence := _sequence(key):
        alias, name = sequence
        with connections[alias].cursor() as cursor:
            # A new sequence's first nextval() returns its start value: count that call too.
            cursor.execute(f"SELECT last_value + is_called::int FROM {name}")  # noqa: S608
            return cursor.fetchone()[0]
    value = cache.get(key)
    if value is None:
        cache.add(key, time.time_ns(), None)
        value = cache.get(key) or time.time_ns()
    return value


def _increment(key: str = GENERATION_KEY) -> None:
    try:
        if sequence := _sequence(key):
            alias, name = sequence
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT nextval(%s::regclass)", [name])
            return
        try:
            cache.incr(key)
        except ValueError:  # no generation yet: any new number invalidates everything
            cache.set(key, time.time_ns(), None)
    except Exception:
        logger.warning("Could not bump the cache generation %s", key, exc_info=True)


def bump() -> None:
    """Make every anonymous entry stale once the current transaction commits.

    After the commit, not before: a visitor who read a new generation before the commit
    would store the old rows under it. Outside a transaction it runs at once."""
    if timeout():
        transaction.on_commit(_increment)


def _key(name: str, parts: dict[str, Any]) -> str:
    described = "&".join(f"{k}={parts[k]}" for k in sorted(parts))
    digest = hashlib.sha256(described.encode()).hexdigest()[:24]
    return f"{KEY_PREFIX}:{generation()}:{name}:{digest}"


def serves(request: HttpRequest) -> bool:
    """Whether this request's page may come from (and go to) the anonymous cache."""
    return not request.user.is_authenticated and bool(timeout())


def for_anonymous[T](
    request: HttpRequest, name: str, parts: dict[str, Any], compute: Callable[[], T]
) -> T:
    """`compute()`, served from the cache to anonymous visitors. `parts` must come from a
    small, validated set of values: every distinct combination is a cache entry."""
    if not serves(request):
        return compute()
    try:
        key = _key(name, parts)
        value = cache.get(key)
    except Exception:
        logger.warning("Anonymous cache unavailable; computing %s", name, exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout())
        except Exception:
            logger.warning("Could not store %s in the anonymous cache", name, exc_info=True)
    return value


def triage_counts[T](compute: Callable[[], T]) -> T:
    """The review queue's filter counts (the same for every PM), from the shared cache.

    They count every waiting idea and signal, which takes a few hundred milliseconds at
    volume, while they change only when an idea, a signal or a category is written. Those
    writes bump TRIAGE_GENERATION_KEY once they commit (`_bump_triage`); anything else
    (raw SQL, a bulk load, the age buckets' boundaries moving with the clock) shows within
    LODE_ANON_CACHE_SECONDS, 0 turning this off too."""
    if not timeout():
        return compute()
    try:
        key = f"lode:triage:{generation(TRIAGE_GENERATION_KEY)}:counts"
        value = cache.get(key)
    except Exception:
        logger.warning("Cache unavailable; counting the triage queue", exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout())
        except Exception:
            logger.warning("Could not store the triage counts", exc_info=True)
    return value


def vary_on_cookie(response: HttpResponse) -> HttpResponse:
    """Pages that differ for signed-in people say so to every cache on the way."""
    patch_vary_headers(response, ("Cookie",))
    return response


def _bump_on_change(sender: type, **kwargs: Any) -> None:
    bump()


def _bump_triage(sender: type, **kwargs: Any) -> None:
    if timeout():  # after the commit, for the reason given in bump()
        transaction.on_commit(lambda: _increment(TRIAGE_GENERATION_KEY))


def connect_signals() -> None:
    from ideas.models import Category, Idea, Signal

    for model in (Idea, Category):
        for signal in (post_save, post_delete):
            signal.connect(
                _bump_on_change, sender=model, dispatch_uid=f"lode-anon-cache-{model.__name__}"
            )
    for model in (Idea, Signal, Category):
        for signal in (post_save, post_delete):
            signal.connect(
                _bump_triage, sender=model, dispatch_uid=f"lode-triage-cache-{model.__name__}"
            )
