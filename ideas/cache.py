"""Caching where it pays: what anonymous visitors read most, the forum's first pages and the
roadmap. See docs/scaling.md ("Caching").

- **Anonymous visitors only.** Signed-in people see their own votes, and the company's
  people see internal ideas, so their pages are always computed; internal ideas can never
  enter the cache because its reads run as an anonymous visitor.
- **Data, not HTML.** The cache holds the rows a page shows; each response still renders
  with its own CSRF token, CSP nonce and messages.
- **Generations, not guesses.** Every key carries a generation number. The services bump it
  after every write that changes what these pages show (votes, comments, recounts), and a
  receiver below bumps it whenever an Idea or a Category is saved or deleted (services and
  the admin alike). The bump runs once the transaction commits, so the next anonymous
  request after a vote sees it, whichever app server answers: the cache is shared.
- **A bounded worst case.** Entries also expire after `LODE_ANON_CACHE_SECONDS` (60 s by
  default; 0 turns caching off): the longest a change that bypasses both (raw SQL, a bulk
  load, the clock moving the roadmap's 90-day window) stays invisible to visitors.

A cache that fails (Redis down) is logged and skipped: pages are computed as if uncached.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

logger = logging.getLogger(__name__)

GENERATION_KEY = "lode:anon:generation"
KEY_PREFIX = "lode:anon"


def timeout() -> int:
    return settings.LODE_ANON_CACHE_SECONDS


def generation() -> int:
    """The current generation; a missing one (a fresh or flushed cache) starts from the
    clock, so it never repeats a number whose entries might still be stored."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns(), None)
        value = cache.get(GENERATION_KEY) or time.time_ns()
    return value


def _increment() -> None:
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # no generation yet: any new number invalidates everything
            cache.set(GENERATION_KEY, time.time_ns(), None)
    except Exception:
        logger.warning("Could not bump the anonymous cache generation", exc_info=True)


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


def for_anonymous[T](
    request: HttpRequest, name: str, parts: dict[str, Any], compute: Callable[[], T]
) -> T:
    """`compute()`, served from the cache to anonymous visitors. `parts` must come from a
    small, validated set of values: every distinct combination is a cache entry."""
    if request.user.is_authenticated or not timeout():
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


def first_page(
    request: HttpRequest, ideas: Any, per_page: int, parts: dict[str, Any]
) -> Page | None:
    """The first page of `ideas` for an anonymous visitor, from the cache; None when the
    request is not one to cache (signed in, a later page), so the caller paginates itself."""
    if request.user.is_authenticated or request.GET.get("page", "1") not in {"", "1"}:
        return None

    def compute() -> tuple[list, int]:
        page = Paginator(ideas, per_page).page(1)
        return list(page.object_list), page.paginator.count

    rows, count = for_anonymous(request, "list", parts, compute)
    paginator = Paginator(rows, per_page)
    paginator.count = count  # the whole list's length, not the cached page's
    return Page(rows, 1, paginator)


def vary_on_cookie(response: HttpResponse) -> HttpResponse:
    """Pages that differ for signed-in people say so to every cache on the way."""
    patch_vary_headers(response, ("Cookie",))
    return response


def _bump_on_change(sender: type, **kwargs: Any) -> None:
    bump()


def connect_signals() -> None:
    from ideas.models import Category, Idea

    for model in (Idea, Category):
        for signal in (post_save, post_delete):
            signal.connect(
                _bump_on_change, sender=model, dispatch_uid=f"lode-anon-cache-{model.__name__}"
            )
