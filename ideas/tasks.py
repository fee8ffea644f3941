"""Background work through Django's Tasks API (django-tasks-db: jobs are rows in PostgreSQL,
`manage.py db_worker` runs them).

Tasks are enqueued on transaction commit and are idempotent: a job retried after a crash
checks what it already did (e.g. `Notification.emailed_at`) before doing it again.
"""

import functools
import logging

from django.core.cache import cache
from django.db import transaction
from django.tasks import Task, task

logger = logging.getLogger(__name__)

# One job sends at most this many emails, over one SMTP connection.
EMAIL_BATCH = 100


@task()
def send_notification_emails(notification_ids: list[int]) -> int:
    """Email these notifications to their recipients (each at most once)."""
    from ideas import notifications

    return notifications.send_notification_emails(notification_ids)


@task()
def send_daily_digest(user_id: int) -> int:
    """Email one person everything they have not been emailed about yet."""
    from ideas import notifications
    from portal.models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    return notifications.send_digest(user) if user else 0


def enqueue_once(job: Task, key: str, seconds: int, **kwargs: object) -> bool:
    """Queue `job` once the current transaction commits, unless `key` in the cache says the
    same job is queued already (for `seconds` at most, so a lost job does not block the next).
    True if it queued one. A cache that fails is logged and nothing is queued."""
    try:
        if not cache.add(key, True, seconds):
            return False
    except Exception:
        logger.warning("Cache unavailable; not queueing %s", key, exc_info=True)
        return False
    transaction.on_commit(functools.partial(job.enqueue, **kwargs), robust=True)
    return True


def running(key: str) -> None:
    """The job queued under `key` has started: changes from now on may queue the next."""
    try:
        cache.delete(key)
    except Exception:
        logger.warning("Cache unavailable; %s stays marked as queued", key, exc_info=True)


def enqueue_notification_emails(notification_ids: list[int]) -> None:
    """Split a fan-out into jobs of EMAIL_BATCH so several workers can share it."""
    for start in range(0, len(notification_ids), EMAIL_BATCH):
        send_notification_emails.enqueue(notification_ids[start : start + EMAIL_BATCH])


@task()
def deliver_webhook(delivery_id: int) -> str:
    """One attempt at a webhook delivery; a failure schedules the next one, with backoff."""
    from ideas import webhooks

    return webhooks.deliver(delivery_id)


@task()
def send_insights_digest(user_id: int, week: str) -> bool:
    """Email one PM the weekly insights digest for `week` (its Monday), at most once."""
    import datetime as dt

    from ideas import insights

    return insights.send_digest(user_id=user_id, week=dt.date.fromisoformat(week))


@task()
def refresh_evidence_snapshot() -> float:
    """Recompute the evidence the board of a large installation ranks by (ideas/evidence.py)."""
    from ideas import evidence

    return evidence.refresh_snapshot()


@task()
def refresh_insights(
    start: str,
    end: str,
    segment: str = "",
    region: str = "",
    plan: str = "",
    lifecycle: str = "",
    category: str = "",
    weight: str = "count",
    focus: str = "",
) -> str:
    """Recompute one insights question and cache it (ideas/insights.py, "Cached figures")."""
    from ideas import insights

    query = insights.query_from_arguments(
        {
            "start": start,
            "end": end,
            "segment": segment,
            "region": region,
            "plan": plan,
            "lifecycle": lifecycle,
            "category": category,
            "weight": weight,
            "focus": focus,
        }
    )
    result = insights.refresh(query)
    return f"{query.period} as of {result.generated_at.isoformat()}"
