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
from django.db import connection
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


def hit(key: str, limit: int, period: int) -> tuple[bool, int]:
    """Count one request under `key`; return (allowed, seconds until the window resets)."""
    now = timezone.now()
    epoch = int(now.timestamp())
    window_start = dt.datetime.fromtimestamp(epoch - epoch % period, tz=dt.UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO ideas_throttle (key, window_start, count) VALUES (%s, %s, 1)
            ON CONFLICT (key, window_start) DO UPDATE SET count = ideas_throttle.count + 1
            RETURNING count
            """,
            [key, window_start],
        )
        (count,) = cursor.fetchone()
    retry_after = int((window_start + dt.timedelta(seconds=period) - now).total_seconds()) + 1
    return count <= limit, retry_after


def check(request: HttpRequest, action: str) -> None:
    """Raise RateLimited when this user or this IP went over the limits for `action`."""
    limits = settings.LODE_RATE_LIMITS
    checks = []
    if action in limits and request.user.is_authenticated:
        checks.append((f"{action}:user:{request.user.pk}", limits[action]))
    if f"{action}_ip" in limits:
        checks.append((f"{action}:ip:{client_ip(request)}", limits[f"{action}_ip"]))
    for key, rate in checks:
        limit, period = parse_rate(rate)
        allowed, retry_after = hit(key, limit, period)
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
