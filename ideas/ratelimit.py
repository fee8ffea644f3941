"""Abuse limits: per-user and per-IP fixed-window counters kept in PostgreSQL.

The counters live in the database rather than a per-process cache so every app server and
worker shares them; one `INSERT … ON CONFLICT … RETURNING` both counts and answers, so two
requests at once can never both slip under the limit. Limits come from
`settings.LODE_RATE_LIMITS`, e.g. {"vote": "60/m"}.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RateLimited(Exception):
    def __init__(self, action: str, retry_after: int) -> None:
        super().__init__(action)
        self.action = action
        self.retry_after = retry_after


def parse_rate(rate: str) -> tuple[int, int]:
    """'60/m' -> (60, 60): at most 60 per 60 seconds."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[-1]] * int(period.strip()[:-1] or 1)


def client_ip(request: HttpRequest) -> str:
    # Behind a trusted proxy the client is the first X-Forwarded-For hop.
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:64]
    return request.META.get("REMOTE_ADDR", "unknown")[:64]


# Both counters of a request in one statement and one transaction, committed without
# waiting for the disk (synchronous_commit off): a crash may forget the last few counts,
# which only ever lets a few more requests through, and a vote no longer waits for three
# flushes to disk (its own, and one per counter) but one.
ASYNC_COMMIT = "SET LOCAL synchronous_commit TO OFF;"
COUNT_SQL = """
    INSERT INTO ideas_throttle (key, window_start, count)
    SELECT key, window_start, 1 FROM unnest(%s::text[], %s::timestamptz[]) AS t(key, window_start)
    ON CONFLICT (key, window_start) DO UPDATE SET count = ideas_throttle.count + 1
    RETURNING key, count
"""


def hit_all(checks: list[tuple[str, int, int]]) -> tuple[bool, int]:
    """Count one request under each (key, limit, period); return (allowed by all, seconds
    until the window that refused resets)."""
    now = timezone.now()
    epoch = int(now.timestamp())
    starts = {
        key: dt.datetime.fromtimestamp(epoch - epoch % period, tz=dt.UTC)
        for key, _, period in checks
    }
    # Inside someone else's transaction (never in a view) it must not relax their commit.
    sql = COUNT_SQL if connection.in_atomic_block else ASYNC_COMMIT + COUNT_SQL
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(sql, [list(starts), list(starts.values())])
        counts = dict(cursor.fetchall())
    for key, limit, period in checks:
        if counts[key] > limit:
            resets = starts[key] + dt.timedelta(seconds=period)
            return False, int((resets - now).total_seconds()) + 1
    return True, 0


def check(request: HttpRequest, action: str) -> None:
    """Raise RateLimited when this user or this IP went over the limits for `action`."""
    limits = settings.LODE_RATE_LIMITS
    checks = []
    if action in limits and request.user.is_authenticated:
        checks.append((f"{action}:user:{request.user.pk}", limits[action]))
    if f"{action}_ip" in limits:
        checks.append((f"{action}:ip:{client_ip(request)}", limits[f"{action}_ip"]))
    if not checks:
        return
    allowed, retry_after = hit_all([(key, *parse_rate(rate)) for key, rate in checks])
    if not allowed:
        raise RateLimited(action, retry_after)


def too_many_requests(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    from portal.logging import security_event

    security_event("rate_limited", request, action=exc.action)
    response = render(
        request,
        "429.html",
        {"retry_after": exc.retry_after, "action": exc.action},
        status=429,
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


def limit(action: str) -> Callable:
    """View decorator: answer a friendly 429 when the limits for `action` are exceeded."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            try:
                check(request, action)
            except RateLimited as exc:
                return too_many_requests(request, exc)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def purge_expired(older_than: dt.timedelta = dt.timedelta(days=2)) -> int:
    """Delete old windows; safe to run any time (e.g. from a periodic job)."""
    from ideas.models import Throttle

    deleted, _ = Throttle.objects.filter(window_start__lt=timezone.now() - older_than).delete()
    return deleted
