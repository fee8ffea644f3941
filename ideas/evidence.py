"""Which evidence the board ranks by: live, or the snapshot the worker keeps fresh.

The `ideas_idea_evidence` view computes every figure from the votes, signals and comments
each time it is read. For one idea (the review panel, a decision record) that is a few
milliseconds whatever the size; but the board sorts *every* open idea by its score, and at
100,000 ideas and a million votes that takes seconds. So a large installation ranks the board
by `ideas_idea_evidence_snapshot`, a materialised copy of the view:

* it is refreshed by the background worker (`refresh_snapshot`, `REFRESH MATERIALIZED VIEW
  CONCURRENTLY`: the board keeps reading the old copy meanwhile), when the board finds it
  older than `LODE_BOARD_SNAPSHOT_MAX_AGE` seconds, when a PM changes the scoring weights or
  an idea's effort or fit, and from cron (`manage.py refresh_evidence_snapshot`);
* the board says how old its figures are and offers a "Refresh now".

Small installations (fewer ideas than `LODE_BOARD_SNAPSHOT_MIN_IDEAS`, by the planner's
estimate) rank by the live view: there it costs less than a second, and nothing is ever stale.
`LODE_BOARD_EVIDENCE` forces `live` or `snapshot`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

LIVE, SNAPSHOT = "evidence", "evidence_snapshot"  # the relations' names on Idea
# While a refresh is queued, the board and PM edits do not queue another (seconds).
QUEUED_KEY = "evidence-snapshot-refresh-queued"
QUEUED_FOR = 120
# One refresh at a time, across every worker: a second one waits for the first, then runs
# (it may have been asked for by a change the first one started too early to see).
LOCK_ID = 0x10DE_E71D


def board_source() -> str:
    """The relation the board reads evidence from: LIVE or SNAPSHOT."""
    mode = settings.LODE_BOARD_EVIDENCE
    if mode in (LIVE, SNAPSHOT):
        return mode
    return SNAPSHOT if estimated_ideas() >= settings.LODE_BOARD_SNAPSHOT_MIN_IDEAS else LIVE


def estimated_ideas() -> int:
    """The planner's row estimate for ideas_idea (kept by autovacuum): no table scan."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'ideas_idea'::regclass")
        row = cursor.fetchone()
    return max(0, int(row[0])) if row else 0


def refreshed_at() -> dt.datetime | None:
    """When the snapshot was last refreshed (None if it holds nothing yet)."""
    from ideas.models import IdeaEvidenceSnapshot

    return IdeaEvidenceSnapshot.objects.values_list("refreshed_at", flat=True).first()


def is_stale(at: dt.datetime | None) -> bool:
    age = settings.LODE_BOARD_SNAPSHOT_MAX_AGE
    return at is None or timezone.now() - at > dt.timedelta(seconds=age)


def request_refresh() -> bool:
    """Queue a refresh of the snapshot unless one is queued already; True if it queued one.

    Does nothing while the board reads the live view: there is nothing to refresh for.
    """
    if board_source() != SNAPSHOT:
        return False
    from ideas import tasks

    return tasks.enqueue_once(tasks.refresh_evidence_snapshot, QUEUED_KEY, QUEUED_FOR)


def refresh_snapshot() -> float:
    """Recompute the snapshot (without blocking its readers); the seconds it took."""
    from ideas import tasks

    tasks.running(QUEUED_KEY)  # changes from now on queue the next refresh
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        # A refresh at 100,000 ideas outlasts the web role's statement timeout.
        cursor.execute("SET LOCAL statement_timeout = 0")
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_ID])
        cursor.execute("SELECT EXISTS (SELECT FROM ideas_idea_evidence_snapshot)")
        populated = cursor.fetchone()[0]
        # CONCURRENTLY needs rows to compare with; the first fill is a plain refresh.
        concurrently = "CONCURRENTLY " if populated else ""
        cursor.execute(f"REFRESH MATERIALIZED VIEW {concurrently}ideas_idea_evidence_snapshot")
    seconds = time.monotonic() - started
    logger.info("evidence snapshot refreshed in %.2f s", seconds)
    return seconds
