"""Webhooks: other systems hear about ideas and signals as signed JSON.

Services call `emit(event, payload)` inside their transaction; once it commits, one
WebhookDelivery per subscribed webhook is written and a worker job sends it
(`tasks.deliver_webhook`), retrying with backoff. Every URL is checked when an admin saves it
and again, resolved afresh, before each attempt: only http(s), and no private, loopback,
link-local, reserved or multicast address unless LODE_WEBHOOKS_ALLOW_PRIVATE is on (SSRF).
The connection goes to the very address that was checked, so DNS cannot swap it in between.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ideas.choices import DeliveryStatus, WebhookEvent
from ideas.models import Webhook, WebhookDelivery

if TYPE_CHECKING:
    from ideas.models import Account, Idea, Signal, StatusChange

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Lode-Signature"
EVENT_HEADER = "X-Lode-Event"
DELIVERY_HEADER = "X-Lode-Delivery"
TIMESTAMP_HEADER = "X-Lode-Timestamp"
USER_AGENT = "Lode-Webhooks/1.0"

# Waits after the 1st, 2nd, 3rd and 4th failed attempt; the 5th failure is final.
RETRY_DELAYS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
TIMEOUT_SECONDS = 10
# Only the start of a receiver's answer is kept, for the admin's log.
EXCERPT_BYTES = 500
MAX_ERROR_LENGTH = 1000
# What one attempt may change on a delivery row.
SAVED_FIELDS = [
    "status",
    "attempts",
    "response_code",
    "response_excerpt",
    "last_error",
    "next_attempt_at",
    "delivered_at",
]


class UnsafeURL(ValueError):
    """The URL may never be called: wrong scheme, or an address Lode must not reach."""


class UnreachableHost(OSError):
    """The host name does not resolve (perhaps for now only)."""


@dataclass(frozen=True)
class Target:
    """A checked webhook URL: where to connect, and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


# --- URLs and addresses ----------------------------------------------------------------------


def address_problem(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why Lode must not call `ip` ("a loopback address"), or None for a public address."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for flag, label in (
        ("is_loopback", "a loopback"),
        ("is_link_local", "a link-local"),
        ("is_multicast", "a multicast"),
        ("is_unspecified", "an unspecified"),
        ("is_private", "a private"),
        ("is_reserved", "a reserved"),
    ):
        if getattr(ip, flag):
            return f"{label} address"
    if not ip.is_global:
        return "a non-public address"
    return None


def resolve_target(url: str) -> Target:
    """Check `url` and resolve its host now. Raises UnsafeURL or UnreachableHost."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise UnsafeURL(f"This is not a valid URL ({error}).") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeURL("Only http:// and https:// URLs can receive webhooks.")
    host = parts.hostname
    if not host:
        raise UnsafeURL("The URL needs a host name.")
    if parts.username or parts.password:
        raise UnsafeURL("Leave credentials out of the URL; receivers check the signature.")
    port = port or (443 if scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnreachableHost(f"Cannot resolve {host}: {error}") from None
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if not addresses:
        raise UnreachableHost(f"Cannot resolve {host}.")
    if not settings.LODE_WEBHOOKS_ALLOW_PRIVATE:
        # Every address must be public: a host may answer with a public and a private one.
        for address in addresses:
            problem = address_problem(ipaddress.ip_address(address.split("%", 1)[0]))
            if problem:
                raise UnsafeURL(
                    f"{host} is {problem} ({address}); webhooks only call public addresses."
                )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0])


def validate_webhook_url(url: str) -> None:
    """Raise UnsafeURL or UnreachableHost unless webhooks may call `url` now."""
    resolve_target(url)


# --- Signing and sending ---------------------------------------------------------------------


def sign(secret: str, body: bytes) -> str:
    """The HMAC-SHA256 of `body` under `secret`, as hex (sent as `sha256=<hex>`)."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature_header: str) -> bool:
    """True when an X-Lode-Signature header matches `body` (what a receiver does)."""
    expected = f"sha256={sign(secret, body)}"
    return hmac.compare_digest(expected, signature_header or "")


def delivery_body(delivery: WebhookDelivery, *, sent_at: dt.datetime) -> bytes:
    """The JSON sent for one attempt; id and times sit inside the signed body too."""
    envelope = {
        "id": str(delivery.uuid),
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "sent_at": sent_at.isoformat(),
        "attempt": delivery.attempts,
        "data": delivery.payload,
    }
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True).encode()


def post(target: Target, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """POST `body` to `target`; (status, start of the response). Redirects are not followed."""
    if target.scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            target.host, target.port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=TIMEOUT_SECONDS)

    def connect_to_checked_address(
        address: tuple[str, int], timeout: float, source_address: Any = None
    ) -> socket.socket:
        # Connect to the address that passed the check rather than resolving again (DNS
        # rebinding); TLS still verifies the certificate against the host name.
        return socket.create_connection((target.address, target.port), timeout, source_address)

    connection._create_connection = connect_to_checked_address  # type: ignore[attr-defined]
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(EXCERPT_BYTES)
    finally:
        connection.close()


def deliver(delivery_id: int) -> str:
    """Make one attempt at a delivery; on failure schedule the next or give up.

    Idempotent: a delivery that succeeded, failed for good, or is not due yet (a stale job)
    is left alone. Returns what happened, for the task's result.
    """
    from ideas.tasks import deliver_webhook

    # The row stays locked for the attempt (at most TIMEOUT_SECONDS per socket operation), so
    # two workers, or a worker and an admin's retry, never send the same delivery at once.
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("webhook")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return "skipped: missing or being sent by another worker"
        if delivery.status != DeliveryStatus.PENDING:
            return f"skipped: already {delivery.status}"
        now = timezone.now()
        if delivery.next_attempt_at and delivery.next_attempt_at > now + dt.timedelta(seconds=5):
            return "skipped: not due yet"
        webhook = delivery.webhook
        if not webhook.active:
            _finish(delivery, DeliveryStatus.FAILED, error="The webhook is switched off.")
            return "failed: webhook switched off"

        delivery.attempts += 1
        delivery.response_code = None
        delivery.response_excerpt = ""
        body = delivery_body(delivery, sent_at=now)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            EVENT_HEADER: delivery.event,
            DELIVERY_HEADER: str(delivery.uuid),
            TIMESTAMP_HEADER: str(int(now.timestamp())),
            SIGNATURE_HEADER: f"sha256={sign(webhook.secret, body)}",
        }
        try:
            target = resolve_target(webhook.url)
            status, excerpt = post(target, body, headers)
        except UnsafeURL as error:
            _finish(delivery, DeliveryStatus.FAILED, error=str(error))
            return "failed: unsafe URL"
        except (OSError, http.client.HTTPException) as error:
            problem = str(error) or type(error).__name__
            return _retry_or_fail(delivery, error=problem, task=deliver_webhook)
        except Exception as error:
            # Anything else is still an attempt that failed: the row must never stay in limbo.
            logger.exception("Webhook delivery %s failed unexpectedly", delivery.pk)
            problem = f"{type(error).__name__}: {error}"
            return _retry_or_fail(delivery, error=problem, task=deliver_webhook)
        delivery.response_code = status
        delivery.response_excerpt = excerpt.decode("utf-8", "replace")[:EXCERPT_BYTES]
        if 200 <= status < 300:
            delivery.delivered_at = timezone.now()
            _finish(delivery, DeliveryStatus.SUCCEEDED)
            return "succeeded"
        if 300 <= status < 400:
            problem = f"HTTP {status}: redirects are not followed; register the final URL."
        else:
            problem = f"HTTP {status}"
        return _retry_or_fail(delivery, error=problem, task=deliver_webhook)


def _finish(delivery: WebhookDelivery, status: DeliveryStatus, *, error: str = "") -> None:
    delivery.status = status
    delivery.last_error = error[:MAX_ERROR_LENGTH]
    delivery.next_attempt_at = None
    delivery.save(update_fields=SAVED_FIELDS)


def _retry_or_fail(delivery: WebhookDelivery, *, error: str, task: Any) -> str:
    if delivery.attempts >= MAX_ATTEMPTS:
        _finish(delivery, DeliveryStatus.FAILED, error=error)
        return f"failed after {delivery.attempts} attempts: {error}"
    delivery.last_error = error[:MAX_ERROR_LENGTH]
    delivery.next_attempt_at = timezone.now() + RETRY_DELAYS[delivery.attempts - 1]
    delivery.save(update_fields=SAVED_FIELDS)
    if not task.get_backend().supports_defer:
        # A backend that cannot run a job later (immediate, dummy): an admin retries by hand.
        logger.warning("Task backend cannot defer; webhook delivery %s waits", delivery.pk)
        return f"failed attempt, not rescheduled: {error}"
    # Enqueued in the same transaction as the row update: both happen, or neither.
    task.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)
    return f"retry at {delivery.next_attempt_at.isoformat()}: {error}"


# --- Emitting ----------------------------------------------------------------------------------


def emit(event: str, payload: dict, *, webhooks: QuerySet[Webhook] | None = None) -> None:
    """Once the current transaction commits, send `event` to every active webhook subscribed
    to it (or to `webhooks`, for a ping). Nothing is sent if the transaction rolls back."""
    if webhooks is None:
        webhooks = Webhook.objects.filter(active=True, events__contains=[event])
    # robust: a failure here is logged; it must never undo or fail the user's committed action.
    transaction.on_commit(lambda: queue_deliveries(event, payload, webhooks), robust=True)


def queue_deliveries(event: str, payload: dict, webhooks: Iterable[Webhook]) -> int:
    """Write one delivery per webhook and enqueue its job, together. Returns how many."""
    from ideas.tasks import deliver_webhook

    with transaction.atomic():
        deliveries = WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(webhook=webhook, event=event, payload=payload)
                for webhook in webhooks
            ]
        )
        for delivery in deliveries:
            deliver_webhook.enqueue(delivery.pk)
    return len(deliveries)


def ping(webhooks: QuerySet[Webhook]) -> None:
    """Send a test `ping` event to these webhooks, subscribed or not."""
    emit(
        WebhookEvent.PING,
        {"message": "A test ping from Lode.", "sent_by": settings.LODE_SITE_NAME},
        webhooks=webhooks,
    )


def retry(deliveries: QuerySet[WebhookDelivery]) -> int:
    """Send pending or failed deliveries again now (succeeded ones never are). Returns how many."""
    from ideas.tasks import deliver_webhook

    with transaction.atomic():
        ids = list(
            deliveries.exclude(status=DeliveryStatus.SUCCEEDED)
            .select_for_update()
            .values_list("pk", flat=True)
        )
        WebhookDelivery.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.PENDING, next_attempt_at=timezone.now()
        )
        for pk in ids:
            deliver_webhook.enqueue(pk)
    return len(ids)


# --- Payloads: plain JSON (money as strings, times in ISO 8601) --------------------------------


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _absolute(path: str) -> str:
    return getattr(settings, "LODE_BASE_URL", "").rstrip("/") + path


def account_payload(account: Account | None) -> dict | None:
    if account is None:
        return None
    return {
        "id": account.pk,
        "name": account.name,
        "external_id": account.external_id,
        "domain": account.domain,
    }


def idea_payload(idea: Idea) -> dict:
    return {
        "id": idea.pk,
        "title": idea.title,
        "url": _absolute(idea.get_absolute_url()),
        "status": idea.status,
        "visibility": idea.visibility,
        "source": idea.source,
        "category": idea.category.name if idea.category_id else None,
        "vote_count": idea.vote_count,
        "merged_into": idea.merged_into_id,
        "created_at": idea.created_at.isoformat() if idea.created_at else None,
    }


def status_change_payload(change: StatusChange) -> dict:
    return {
        "idea": idea_payload(change.idea),
        "from": change.from_status,
        "to": change.to_status,
        "explanation": change.explanation,
        "changed_at": change.created_at.isoformat(),
    }


def merge_payload(source: Idea, target: Idea) -> dict:
    return {"source": idea_payload(source), "target": idea_payload(target)}


def signal_payload(signal: Signal) -> dict:
    # The customer's verbatim words and the contact's name stay in Lode.
    return {
        "id": signal.pk,
        "account": account_payload(signal.account),
        "kind": signal.kind,
        "summary": signal.summary,
        "competitor": signal.competitor,
        "source": signal.source,
        "heard_on": signal.heard_on.isoformat(),
        "importance": signal.importance,
        "deal_stage": signal.deal_stage,
        "opportunity_value": _money(signal.opportunity_value),
        "currency": settings.LODE_CURRENCY,
        "idea": signal.idea_id,
        "created_at": signal.created_at.isoformat(),
    }
