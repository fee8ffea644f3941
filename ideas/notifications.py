"""Emails that close the loop: who hears what when an idea moves, in their own words.

Followers get a plain note about the idea ("The idea you voted for is now planned").
Reps who captured signals for it get the accounts and contacts to go back to, with each
one's stake. Customers' emails never carry revenue or account names: those come only from
the sales template, which only the company's people receive.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ideas.choices import NotificationKind, Status, SubscriptionReason
from ideas.models import Notification, Signal, Subscription
from portal.models import User

UNSUBSCRIBE_SALT = "lode.unsubscribe"
PHRASES = {
    SubscriptionReason.AUTHOR: "Your idea",
    SubscriptionReason.VOTER: "The idea you voted for",
    SubscriptionReason.COMMENTER: "The idea you commented on",
    SubscriptionReason.SIGNAL: "An idea your customers asked for",
    SubscriptionReason.FOLLOWER: "An idea you follow",
}


def absolute(path: str) -> str:
    return settings.LODE_BASE_URL.rstrip("/") + path


def unsubscribe_token(user: User) -> str:
    """A signed, non-expiring token: the link works without logging in."""
    return signing.dumps({"user": user.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def user_from_unsubscribe_token(token: str) -> User | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=data.get("user"), is_active=True).first()


def unsubscribe_url(user: User) -> str:
    return absolute(reverse("ideas:unsubscribe", args=[unsubscribe_token(user)]))


def _context(notifications: list[Notification]) -> dict:
    """What the templates need, fetched in a fixed number of queries for the whole batch."""
    idea_ids = {n.idea_id for n in notifications if n.idea_id}
    user_ids = {n.recipient_id for n in notifications}
    reasons = {
        (row.user_id, row.idea_id): row.reason
        for row in Subscription.objects.filter(user_id__in=user_ids, idea_id__in=idea_ids)
    }
    stakes: dict[tuple[int, int], list[Signal]] = defaultdict(list)
    for signal in (
        Signal.objects.filter(captured_by_id__in=user_ids, idea_id__in=idea_ids)
        .select_related("account")
        .order_by("account__name", "-heard_on")
    ):
        stakes[(signal.captured_by_id, signal.idea_id)].append(signal)
    return {"reasons": reasons, "stakes": stakes}


def _item(notification: Notification, context: dict) -> dict:
    """One notification as the templates render it, for its audience."""
    user, idea = notification.recipient, notification.idea
    item = {"notification": notification, "idea": idea, "data": notification.data}
    if notification.kind == NotificationKind.CHANGELOG:
        note = notification.release_note
        item.update(
            subject=f"Just shipped: {note.title}",
            url=absolute(note.get_absolute_url()),
            note=note,
            template="changelog",
        )
        return item
    url = absolute(idea.get_absolute_url())
    phrase = PHRASES.get(context["reasons"].get((user.pk, idea.pk)), "An idea you follow")
    signals = context["stakes"].get((user.pk, idea.pk), []) if user.is_internal else []
    status = Status(notification.data.get("to", idea.status)).label.lower()
    if notification.kind == NotificationKind.MERGED:
        subject = f"{phrase} was merged into “{idea.title}”"
    elif signals:
        accounts = len({s.account_id for s in signals})
        plural = "s" if accounts != 1 else ""
        subject = f"“{idea.title}” is now {status}: {accounts} account{plural} to tell"
    else:
        subject = f"{phrase} is now {status}"
    item.update(
        subject=subject,
        url=url,
        phrase=phrase,
        status=status,
        signals=signals,
        template="sales" if signals else "follower",
    )
    return item


def build_email(user: User, items: list[dict], *, digest: bool = False) -> EmailMultiAlternatives:
    unsubscribe = unsubscribe_url(user)
    context = {
        "user": user,
        "items": items,
        "digest": digest,
        "unsubscribe_url": unsubscribe,
        "preferences_url": absolute(reverse("ideas:notification_preferences")),
        "site_name": settings.LODE_SITE_NAME,
        "currency": settings.LODE_CURRENCY,
    }
    if digest:
        subject = f"{settings.LODE_SITE_NAME}: {len(items)} update{'s' * (len(items) != 1)}"
    else:
        subject = items[0]["subject"]
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/notification.txt", context),
        to=[user.email],
        headers={
            # One-click unsubscribe for mail clients (RFC 8058).
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string("emails/notification.html", context), "text/html")
    return message


def _claim(notifications: QuerySet[Notification]) -> list[Notification]:
    """Mark rows as emailed before sending, in their own transaction: a job retried after a
    crash finds them claimed and never sends the same email twice."""
    with transaction.atomic():
        rows = list(
            notifications.filter(emailed_at__isnull=True)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient", "idea", "release_note")
        )
        Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
            emailed_at=timezone.now()
        )
    return rows


def _release(rows: Iterable[Notification]) -> None:
    """Give rows back for a retry when sending them failed for a known reason."""
    Notification.objects.filter(pk__in=[row.pk for row in rows]).update(emailed_at=None)


def send_notification_emails(notification_ids: list[int]) -> int:
    """Email each of these notifications to its recipient, once. Returns how many were sent."""
    rows = _claim(
        Notification.objects.filter(
            pk__in=notification_ids, recipient__email_frequency="immediately"
        )
    )
    if not rows:
        return 0
    context = _context(rows)
    messages = [build_email(row.recipient, [_item(row, context)]) for row in rows]
    return _send(messages, rows)


def send_digest(user: User) -> int:
    """One email with everything `user` has not been emailed about yet."""
    rows = _claim(Notification.objects.filter(recipient=user).order_by("created_at"))
    if not rows:
        return 0
    context = _context(rows)
    return _send([build_email(user, [_item(row, context) for row in rows], digest=True)], rows)


def _send(messages: list[EmailMultiAlternatives], rows: list[Notification]) -> int:
    try:
        # One connection for the whole batch.
        return mailers.default.send_messages(messages) or 0
    except Exception:
        _release(rows)
        raise


def users_due_a_digest() -> QuerySet[User]:
    """People who chose a daily digest and have something waiting."""
    return User.objects.filter(
        email_frequency="daily",
        is_active=True,
        notifications__emailed_at__isnull=True,
    ).distinct()
