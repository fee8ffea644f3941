"""Webhooks: signed JSON to a real HTTP receiver on 127.0.0.1, sent by the real database
worker, retried with backoff; and the address checks that keep Lode from calling inside the
network (SSRF)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import signal
import socket
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ideas import services, webhooks
from ideas.choices import DeliveryStatus, Importance, Status, WebhookEvent
from ideas.models import Webhook, WebhookDelivery
from tests import factories

ALL_EVENTS = [
    WebhookEvent.IDEA_CREATED,
    WebhookEvent.IDEA_STATUS_CHANGED,
    WebhookEvent.IDEA_MERGED,
    WebhookEvent.SIGNAL_CAPTURED,
]
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


# --- A real receiver -------------------------------------------------------------------------


class Receiver(ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1 that records what it is sent and answers `statuses` in
    turn (200 once they run out)."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ReceiverHandler)
        self.received: list[dict] = []
        self.statuses: list[int] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/lode?team=product"

    def bodies(self) -> list[dict]:
        return [json.loads(request["body"]) for request in self.received]


class ReceiverHandler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append({"path": self.path, "headers": self.headers, "body": body})
        status = self.server.statuses.pop(0) if self.server.statuses else 200
        self.send_response(status)
        if 300 <= status < 400:
            self.send_header("Location", "http://127.0.0.1:1/elsewhere")
        self.send_header("Content-Length", "8")
        self.end_headers()
        self.wfile.write(b"received")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    settings.LODE_WEBHOOKS_ALLOW_PRIVATE = True
    settings.TASKS = DB_TASKS
    settings.LODE_BASE_URL = "https://ideas.example.com"
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def make_webhook(url: str, events: list[str] | None = None, **extra: object) -> Webhook:
    return Webhook.objects.create(url=url, events=events or ALL_EVENTS, **extra)


def run_worker() -> None:
    """The real django-tasks-db worker, until no job is due; pytest keeps its own signals."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command(
            "db_worker", "--batch", "--no-reload", "--no-startup-delay", stdout=StringIO()
        )
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def verifies(request: dict, secret: str) -> bool:
    """What a receiver does: HMAC-SHA256 of the raw body, compared in constant time."""
    expected = "sha256=" + hmac.new(secret.encode(), request["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, request["headers"]["X-Lode-Signature"])


@pytest.fixture
def resolve_as(monkeypatch):
    """Make host names resolve where a test says, as DNS would (or could, if hostile)."""
    real = socket.getaddrinfo
    fake: dict[str, str] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host in fake:
            family = socket.AF_INET6 if ":" in fake[host] else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (fake[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return fake


# --- The worker delivers signed events -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_captured_signal_reaches_the_receiver_signed_with_the_webhook_secret(receiver):
    webhook = make_webhook(receiver.url, [WebhookEvent.SIGNAL_CAPTURED])
    rep = factories.SalesFactory()
    account = factories.AccountFactory(name="Initech", external_id="CRM-42")
    idea = factories.IdeaFactory()

    signal_ = services.signal_capture(
        captured_by=rep,
        account=account,
        verbatim="Without SAML we cannot renew.",
        summary="SAML blocks the renewal",
        heard_on=timezone.localdate(),
        importance=Importance.DEAL_BREAKER,
        opportunity_value=Decimal("250000.00"),
        deal_stage="renewal_at_risk",
        idea=idea,
    )
    assert receiver.received == []  # queued for the worker, not sent in the request
    run_worker()

    [request] = receiver.received
    assert verifies(request, webhook.secret)
    assert request["path"] == "/hooks/lode?team=product"
    headers = request["headers"]
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Lode-Event"] == "signal.captured"
    delivery = WebhookDelivery.objects.get()
    assert headers["X-Lode-Delivery"] == str(delivery.uuid)
    assert abs(int(headers["X-Lode-Timestamp"]) - timezone.now().timestamp()) < 60
    body = json.loads(request["body"])
    assert body["id"] == str(delivery.uuid) and body["event"] == "signal.captured"
    assert body["data"] == {
        "id": signal_.pk,
        "account": {
            "id": account.pk,
            "name": "Initech",
            "external_id": "CRM-42",
            "domain": account.domain,
        },
        "kind": "feature_request",
        "summary": "SAML blocks the renewal",
        "competitor": "",
        "source": "meeting",
        "heard_on": timezone.localdate().isoformat(),
        "importance": "deal_breaker",
        "deal_stage": "renewal_at_risk",
        "opportunity_value": "250000.00",
        "currency": "USD",
        "idea": idea.pk,
        "created_at": signal_.created_at.isoformat(),
    }
    assert "verbatim" not in body["data"]  # the customer's words stay in Lode
    assert (delivery.status, delivery.attempts, delivery.response_code) == (
        DeliveryStatus.SUCCEEDED,
        1,
        200,
    )
    assert delivery.delivered_at is not None and delivery.response_excerpt == "received"


@pytest.mark.django_db(transaction=True)
def test_status_change_merge_and_new_idea_each_reach_the_receiver(receiver):
    webhook = make_webhook(receiver.url)
    pm = factories.PMFactory()
    customer = factories.CustomerFactory()
    source = factories.IdeaFactory(title="Export boards to PDF")
    target = services.idea_submit(author=customer, title="Export anything to PDF")

    services.idea_set_status(
        idea=target, actor=pm, status=Status.PLANNED, explanation="On the Q3 roadmap."
    )
    services.idea_merge(source=source, target=target, actor=pm)
    run_worker()

    assert len(receiver.received) == 3
    assert all(verifies(request, webhook.secret) for request in receiver.received)
    created, changed, merged = sorted(receiver.bodies(), key=lambda body: body["created_at"])
    assert created["event"] == "idea.created"
    assert created["data"]["id"] == target.pk
    assert created["data"]["url"] == f"https://ideas.example.com/ideas/{target.pk}-{target.slug}/"
    assert changed["event"] == "idea.status_changed"
    assert changed["data"]["idea"]["id"] == target.pk
    assert changed["data"]["idea"]["title"] == "Export anything to PDF"
    assert (changed["data"]["from"], changed["data"]["to"]) == ("new", "planned")
    assert changed["data"]["explanation"] == "On the Q3 roadmap."
    assert changed["data"]["idea"]["url"].startswith("https://ideas.example.com/ideas/")
    assert merged["event"] == "idea.merged"
    assert merged["data"]["source"]["id"] == source.pk
    assert merged["data"]["target"]["id"] == target.pk
    assert merged["data"]["source"]["merged_into"] == target.pk
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"succeeded"}


@pytest.mark.django_db(transaction=True)
def test_a_failing_receiver_gets_a_retry_with_backoff_then_succeeds(receiver):
    make_webhook(receiver.url, [WebhookEvent.IDEA_CREATED])
    receiver.statuses = [500]
    before = timezone.now()
    services.idea_submit(author=factories.CustomerFactory(), title="Single sign-on with Okta")

    run_worker()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, 500)
    assert delivery.last_error == "HTTP 500"
    assert before + dt.timedelta(minutes=1) <= delivery.next_attempt_at
    assert delivery.next_attempt_at <= timezone.now() + dt.timedelta(minutes=1)
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after == delivery.next_attempt_at
    assert retry.args_kwargs["args"] == [delivery.pk]

    run_worker()  # the retry is not due yet: nothing is sent
    assert len(receiver.received) == 1

    # A minute later (moved back in time rather than waited for):
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_worker()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 2, 200)
    assert len(receiver.received) == 2
    first, second = receiver.received
    # The same delivery id both times, so the receiver can drop a repeat.
    assert first["headers"]["X-Lode-Delivery"] == second["headers"]["X-Lode-Delivery"]
    assert [body["attempt"] for body in receiver.bodies()] == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_worker_does_not_send_a_delivery_that_already_succeeded(receiver):
    from ideas.tasks import deliver_webhook

    webhook = make_webhook(receiver.url)
    delivery = WebhookDelivery.objects.create(
        webhook=webhook,
        event=WebhookEvent.IDEA_CREATED,
        payload={"id": 1},
        status=DeliveryStatus.SUCCEEDED,
        attempts=1,
    )
    deliver_webhook.enqueue(delivery.pk)
    run_worker()
    assert receiver.received == []
    delivery.refresh_from_db()
    assert delivery.attempts == 1


# --- Delivery logic, one attempt at a time ---------------------------------------------------


def pending(webhook: Webhook) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        webhook=webhook, event=WebhookEvent.IDEA_CREATED, payload={"id": 7, "title": "Dark mode"}
    )


@pytest.mark.django_db
def test_attempts_back_off_then_the_delivery_fails_for_good(receiver):
    receiver.statuses = [503] * webhooks.MAX_ATTEMPTS
    delivery = pending(make_webhook(receiver.url))
    waits = []
    for _ in range(webhooks.MAX_ATTEMPTS):
        started = timezone.now()
        webhooks.deliver(delivery.pk)
        delivery.refresh_from_db()
        if delivery.next_attempt_at:
            waits.append(round((delivery.next_attempt_at - started).total_seconds() / 60))
            WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert waits == [1, 5, 30, 120]
    assert (delivery.status, delivery.attempts) == ("failed", 5)
    assert delivery.next_attempt_at is None and delivery.last_error == "HTTP 503"
    assert len(receiver.received) == 5
    # One deferred retry job per failure but the last.
    assert DBTaskResult.objects.filter(status="READY").count() == 4


@pytest.mark.django_db
def test_deliver_leaves_succeeded_failed_and_not_yet_due_deliveries_alone(receiver):
    webhook = make_webhook(receiver.url)
    done = pending(webhook)
    WebhookDelivery.objects.filter(pk=done.pk).update(status=DeliveryStatus.SUCCEEDED)
    given_up = pending(webhook)
    WebhookDelivery.objects.filter(pk=given_up.pk).update(status=DeliveryStatus.FAILED)
    later = pending(webhook)
    WebhookDelivery.objects.filter(pk=later.pk).update(
        next_attempt_at=timezone.now() + dt.timedelta(minutes=5)
    )
    assert webhooks.deliver(done.pk) == "skipped: already succeeded"
    assert webhooks.deliver(given_up.pk) == "skipped: already failed"
    assert webhooks.deliver(later.pk) == "skipped: not due yet"
    assert receiver.received == []


@pytest.mark.django_db
def test_a_redirect_is_not_followed(receiver):
    receiver.statuses = [302]
    delivery = pending(make_webhook(receiver.url))
    webhooks.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert len(receiver.received) == 1
    assert (delivery.status, delivery.response_code) == ("pending", 302)
    assert "redirects are not followed" in delivery.last_error


@pytest.mark.django_db
def test_an_unreachable_receiver_is_retried(settings):
    settings.LODE_WEBHOOKS_ALLOW_PRIVATE = True
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    delivery = pending(make_webhook(f"http://127.0.0.1:{port}/"))
    webhooks.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, None)
    assert delivery.last_error and delivery.next_attempt_at


@pytest.mark.django_db
def test_a_switched_off_webhook_is_not_called(receiver):
    delivery = pending(make_webhook(receiver.url, active=False))
    webhooks.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "failed" and receiver.received == []


@pytest.mark.django_db
def test_an_address_that_turned_private_since_saving_is_refused_at_delivery(
    receiver, settings, resolve_as
):
    """DNS can change after the admin saved the URL: the worker checks again."""
    settings.LODE_WEBHOOKS_ALLOW_PRIVATE = False
    resolve_as["hooks.partner.example"] = "127.0.0.1"
    port = receiver.server_address[1]
    delivery = pending(make_webhook(f"http://hooks.partner.example:{port}/"))
    assert webhooks.deliver(delivery.pk) == "failed: unsafe URL"
    delivery.refresh_from_db()
    assert delivery.status == "failed" and "loopback" in delivery.last_error
    assert receiver.received == []


@pytest.mark.django_db
def test_the_worker_connects_to_the_address_it_checked(receiver, resolve_as):
    """Resolved once, checked, and connected to: a second lookup could answer differently."""
    resolve_as["hooks.partner.example"] = "127.0.0.1"
    port = receiver.server_address[1]
    delivery = pending(make_webhook(f"http://hooks.partner.example:{port}/in"))
    webhooks.deliver(delivery.pk)
    [request] = receiver.received
    assert request["headers"]["Host"] == f"hooks.partner.example:{port}"
    assert request["path"] == "/in"


# --- Emitting --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_events_are_queued_after_commit_for_active_subscribed_webhooks_only(
    django_capture_on_commit_callbacks, settings
):
    settings.TASKS = DB_TASKS
    wants = make_webhook("https://a.example/hook", [WebhookEvent.IDEA_CREATED])
    make_webhook("https://b.example/hook", [WebhookEvent.SIGNAL_CAPTURED])
    make_webhook("https://c.example/hook", [WebhookEvent.IDEA_CREATED], active=False)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        idea = services.idea_submit(author=factories.CustomerFactory(), title="Dark mode please")
    assert not WebhookDelivery.objects.exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.webhook, delivery.event) == (wants, "idea.created")
    assert delivery.payload["id"] == idea.pk and delivery.payload["title"] == "Dark mode please"
    job = DBTaskResult.objects.get()
    assert job.task_path == "ideas.tasks.deliver_webhook"
    assert job.args_kwargs["args"] == [delivery.pk]


@pytest.mark.django_db
def test_a_rolled_back_action_sends_nothing(django_capture_on_commit_callbacks):
    make_webhook("https://a.example/hook", [WebhookEvent.IDEA_CREATED])
    author = factories.CustomerFactory()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        contextlib.suppress(RuntimeError),
        transaction.atomic(),
    ):
        services.idea_submit(author=author, title="An idea that never was")
        raise RuntimeError("the request failed after the service")
    assert callbacks == []
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db
def test_signal_to_new_idea_emits_idea_created(django_capture_on_commit_callbacks, settings):
    settings.TASKS = DB_TASKS
    make_webhook("https://a.example/hook", [WebhookEvent.IDEA_CREATED])
    signal_ = factories.SignalFactory(idea=None)
    with django_capture_on_commit_callbacks(execute=True):
        idea = services.signal_create_idea(
            signal=signal_, actor=factories.PMFactory(), title="Roll-up reports for BI"
        )
    delivery = WebhookDelivery.objects.get()
    assert delivery.payload["id"] == idea.pk and delivery.payload["visibility"] == "internal"


def test_payloads_are_plain_json():
    signal_ = factories.SignalFactory.build(
        pk=3, opportunity_value=Decimal("1250.50"), created_at=timezone.now(), idea=None
    )
    payload = webhooks.signal_payload(signal_)
    assert payload["opportunity_value"] == "1250.50"
    json.dumps(payload)  # no Decimal, date or model left in it


# --- Signing ---------------------------------------------------------------------------------


def test_signature_is_hmac_sha256_of_the_body():
    body = b'{"event":"ping"}'
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert webhooks.sign("s3cret", body) == expected
    assert webhooks.verify("s3cret", body, f"sha256={expected}")
    assert not webhooks.verify("other", body, f"sha256={expected}")
    assert not webhooks.verify("s3cret", body + b" ", f"sha256={expected}")


# --- Which URLs may be called ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://127.0.0.1:8000/hook",
        "http://10.0.0.5/hook",
        "http://192.168.1.20/hook",
        "http://172.16.3.4/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://localhost:8000/hook",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://0.0.0.0/hook",
        "http://[fd00::1]/hook",
        "http://224.0.0.1/hook",
        "http://2130706433/hook",  # 127.0.0.1 as one number
    ],
)
def test_private_and_loopback_addresses_are_refused_by_default(url, settings):
    settings.LODE_WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(webhooks.UnsafeURL):
        webhooks.validate_webhook_url(url)


def test_a_host_name_that_resolves_to_loopback_is_refused(settings, resolve_as):
    settings.LODE_WEBHOOKS_ALLOW_PRIVATE = False
    resolve_as["innocent.example.com"] = "127.0.0.1"
    with pytest.raises(webhooks.UnsafeURL, match="loopback"):
        webhooks.validate_webhook_url("https://innocent.example.com/hook")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://hooks.example.com/",
        "file:///etc/passwd",
        "gopher://hooks.example.com/",
        "javascript:alert(1)",
        "hooks.example.com/hook",
        "https://user:pass@hooks.example.com/",
        "https:///no-host",
    ],
)
def test_only_http_and_https_urls_with_a_host_are_accepted(url, settings):
    settings.LODE_WEBHOOKS_ALLOW_PRIVATE = True
    with pytest.raises(webhooks.UnsafeURL):
        webhooks.validate_webhook_url(url)


def test_a_public_address_is_accepted(settings, resolve_as):
    settings.LODE_WEBHOOKS_ALLOW_PRIVATE = False
    resolve_as["hooks.example.com"] = "93.184.216.34"
    target = webhooks.resolve_target("https://hooks.example.com/in?x=1")
    assert (target.host, target.port, target.path, target.address) == (
        "hooks.example.com",
        443,
        "/in?x=1",
        "93.184.216.34",
    )


def test_the_setting_allows_private_addresses(settings):
    settings.LODE_WEBHOOKS_ALLOW_PRIVATE = True
    assert webhooks.resolve_target("http://127.0.0.1:9/hook").address == "127.0.0.1"


def test_an_unknown_host_is_reported_as_unreachable(settings):
    settings.LODE_WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(webhooks.UnreachableHost):
        webhooks.validate_webhook_url("https://no-such-host.invalid/hook")


# --- Admin -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_registers_a_webhook_with_a_generated_secret(admin_client, settings, resolve_as):
    settings.LODE_WEBHOOKS_ALLOW_PRIVATE = False
    resolve_as["hooks.example.com"] = "93.184.216.34"
    add = admin_client.get(reverse("admin:ideas_webhook_add"))
    assert b'name="secret"' not in add.content and b"Secret" not in add.content
    response = admin_client.post(
        reverse("admin:ideas_webhook_add"),
        {
            "url": "https://hooks.example.com/lode",
            "events": ["idea.created", "signal.captured"],
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content
    webhook = Webhook.objects.get()
    assert webhook.events == ["idea.created", "signal.captured"]
    assert len(webhook.secret) >= 40
    page = admin_client.get(reverse("admin:ideas_webhook_change", args=[webhook.pk]))
    assert webhook.secret.encode() in page.content  # shown, read-only
    assert b'name="secret"' not in page.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/hook", "http://localhost/hook", "ftp://hooks.example.com/"]
)
def test_admin_refuses_an_unsafe_webhook_url(admin_client, settings, url):
    settings.LODE_WEBHOOKS_ALLOW_PRIVATE = False
    response = admin_client.post(
        reverse("admin:ideas_webhook_add"), {"url": url, "events": ["idea.created"]}
    )
    assert response.status_code == 200
    assert not Webhook.objects.exists()


@pytest.mark.django_db
def test_admin_refuses_a_webhook_without_events(admin_client, settings):
    settings.LODE_WEBHOOKS_ALLOW_PRIVATE = True
    response = admin_client.post(
        reverse("admin:ideas_webhook_add"), {"url": "http://127.0.0.1:9/hook", "active": "on"}
    )
    assert b"Choose at least one event." in response.content
    assert not Webhook.objects.exists()


@pytest.mark.django_db
def test_admin_ping_action_delivers_a_ping(
    admin_client, receiver, django_capture_on_commit_callbacks
):
    webhook = make_webhook(receiver.url, [WebhookEvent.SIGNAL_CAPTURED])
    make_webhook(receiver.url, active=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:ideas_webhook_changelist"),
            {
                "action": "send_ping",
                "_selected_action": list(Webhook.objects.values_list("pk", flat=True)),
            },
            follow=True,
        )
    assert b"Ping queued for 1 webhook; 1 switched off" in response.content
    delivery = WebhookDelivery.objects.get()
    assert (delivery.webhook, delivery.event) == (webhook, "ping")
    webhooks.deliver(delivery.pk)
    [request] = receiver.received
    assert request["headers"]["X-Lode-Event"] == "ping" and verifies(request, webhook.secret)
    changelist = admin_client.get(reverse("admin:ideas_webhook_changelist"))
    assert b"Succeeded (200)" in changelist.content


@pytest.mark.django_db
def test_admin_retry_action_requeues_failed_deliveries_but_never_succeeded_ones(
    admin_client, settings
):
    settings.TASKS = DB_TASKS
    webhook = make_webhook("https://a.example/hook")
    failed = pending(webhook)
    done = pending(webhook)
    WebhookDelivery.objects.filter(pk=failed.pk).update(status="failed", attempts=5)
    WebhookDelivery.objects.filter(pk=done.pk).update(status="succeeded", attempts=1)
    response = admin_client.post(
        reverse("admin:ideas_webhookdelivery_changelist"),
        {"action": "retry", "_selected_action": [failed.pk, done.pk]},
        follow=True,
    )
    assert b"Queued 1 delivery to be sent again; 1 already succeeded" in response.content
    failed.refresh_from_db()
    assert failed.status == "pending" and failed.next_attempt_at is not None
    assert list(DBTaskResult.objects.values_list("args_kwargs", flat=True)) == [
        {"args": [failed.pk], "kwargs": {}}
    ]


@pytest.mark.django_db
def test_delivery_log_is_read_only(admin_client):
    delivery = pending(make_webhook("https://a.example/hook"))
    page = admin_client.get(reverse("admin:ideas_webhookdelivery_change", args=[delivery.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert admin_client.get(reverse("admin:ideas_webhookdelivery_add")).status_code == 403
    filtered = admin_client.get(
        reverse("admin:ideas_webhookdelivery_changelist"),
        {"status__exact": "pending", "webhook__id__exact": delivery.webhook_id},
    )
    assert filtered.status_code == 200


@pytest.mark.django_db
def test_retry_needs_permission_to_change_webhooks(client):
    staff = factories.StaffFactory(is_staff=True)
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(Permission.objects.get(codename="view_webhookdelivery"))
    client.force_login(staff)
    page = client.get(reverse("admin:ideas_webhookdelivery_changelist"))
    assert page.status_code == 200 and b"Retry now" not in page.content
