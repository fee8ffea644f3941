"""Canaries: private strings seeded where only the company's people may read them (an internal
idea, a private note, revenue, a deal, an account, a customer's verbatim...). A visitor and
customers then crawl everything they can reach (every linked page, searches, suggestions,
feeds, the API, the schema, their data export and the emails they receive): no canary may
appear anywhere. The same crawl as a PM finds them, which proves the crawl reaches them.

Each private object carries searchable bait words (quantum, zeppelin, walrus...) beside its
canary, so a search for the bait surfaces the canary if the object leaks; a search for a
canary itself is allowed to echo that one word back ("no results for ...").
"""

from __future__ import annotations

import html
import re
from collections import deque
from decimal import Decimal
from urllib.parse import quote, unquote, urlsplit

import pytest
from django.core import mail
from django.test import Client
from rest_framework.authtoken.models import Token

from ideas import notifications, services
from ideas.choices import Status
from tests import factories

# Canary -> the forms in which it may show (numbers also as formatted money).
CANARIES: dict[str, tuple[str, ...]] = {
    "internal idea title": ("CANARYIDEA7731",),
    "internal idea body": ("CANARYIDEABODY",),
    "private note": ("CANARYNOTE",),
    "comment on an internal idea": ("CANARYCOMMENT",),
    "internal timeline explanation": ("CANARYEXPLAIN",),
    "account name": ("CanaryCorp",),
    "account CRM id": ("CANARYCRM",),
    "verbatim": ("CANARYVERBATIM",),
    "signal summary": ("CANARYSUMMARY",),
    "contact name": ("CANARYCONTACT",),
    "competitor": ("CANARYCOMPETITOR",),
    "ARR": ("987654321", "987,654,321", "987.654.321", "987.7M", "988M", "987.65M"),
    "deal value": ("123456789", "123,456,789", "123.456.789", "123.5M", "123.46M"),
}
# Words that only the private objects contain, for searches and suggestions.
BAIT = ("quantum", "ledger reconciliation", "zeppelin", "walrus", "narwhal", "platypus")

# Never crawled: actions that would end the session or switch emails off, and Django admin.
SKIP_PREFIXES = (
    "/accounts/logout/",
    "/notifications/unsubscribe/",
    "/account/delete/",
    "/admin/",
    "/static/",
    "/media/",
)
MAX_PAGES = 300
LINK = re.compile(r"""(?:href|hx-get|src)\s*=\s*["']([^"']+)["']""")


@pytest.fixture
def tasks_run_at_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def seeded(
    db,
    tasks_run_at_once,
    django_capture_on_commit_callbacks,
    customer,
    other_customer,
    sales,
    staff,
    pm,
    mailoutbox,
):
    """Public data a customer follows, private canaries on a public and an internal idea,
    then the PM's actions that email followers (status, merges, a release note)."""
    category = factories.CategoryFactory(name="Reporting", slug="reporting")
    canary_corp = factories.AccountFactory(
        name="CanaryCorp",
        domain="canarycorp.example",
        external_id="CANARYCRM",
        arr=Decimal("987654321.00"),
    )
    public = factories.IdeaFactory(
        title="Export dashboards to PDF",
        body="For the monthly board pack.",
        category=category,
        author=customer,
    )
    duplicate = factories.IdeaFactory(
        title="PDF export for dashboards", category=category, author=other_customer
    )
    other_public = factories.IdeaFactory(title="Dark mode for the editor", category=category)
    internal = factories.InternalIdeaFactory(
        title="CANARYIDEA7731 quantum ledger reconciliation",
        body="CANARYIDEABODY quantum ledgers reconcile nightly.",
        category=category,
        author=staff,
        account=canary_corp,
    )
    internal_duplicate = factories.InternalIdeaFactory(
        title="CANARYIDEA7731 quantum ledger duplicate", category=category, author=staff
    )
    signal_fields = {
        "captured_by": sales,
        "account": canary_corp,
        "contact_name": "CANARYCONTACT Zelda",
        "verbatim": "CANARYVERBATIM we would pay for walrus integration tomorrow",
        "summary": "CANARYSUMMARY walrus integration",
        "competitor": "CANARYCOMPETITOR",
        "opportunity_value": Decimal("123456789.00"),
        "deal_stage": "open",
    }
    factories.SignalFactory(idea=public, **signal_fields)
    factories.SignalFactory(idea=internal, **signal_fields)
    factories.StatusChangeFactory(
        idea=public, actor=pm, is_public=False, explanation="CANARYEXPLAIN narwhal deal at risk"
    )
    factories.CommentFactory(idea=public, author=customer, body="We need this for our auditors.")

    with django_capture_on_commit_callbacks(execute=True):
        for person in (customer, other_customer):
            services.vote_add(user=person, idea=public)
            services.vote_add(user=person, idea=duplicate)
            services.idea_follow(user=person, idea=other_public)
        services.comment_add(
            author=pm, idea=public, body="CANARYNOTE zeppelin pricing worry", is_internal=True
        )
        services.comment_add(author=staff, idea=internal, body="CANARYCOMMENT platypus")
        services.idea_set_status(
            idea=internal, actor=pm, status=Status.PLANNED, explanation="CANARYEXPLAIN narwhal"
        )
        services.idea_set_status(
            idea=public, actor=pm, status=Status.PLANNED, explanation="Scheduled for spring."
        )
        services.idea_merge(source=duplicate, target=public, actor=pm)
        services.idea_merge(source=internal_duplicate, target=public, actor=pm)
        # A public idea people follow, merged into an internal one: they may not learn where.
        services.idea_merge(source=other_public, target=internal, actor=pm)
        services.release_note_publish(
            author=pm,
            title="Spring release",
            body="PDF export is here.",
            ideas=[public, internal],
        )
    # The daily digest too, for someone who chose it.
    other_customer.email_frequency = "daily"
    other_customer.save(update_fields=["email_frequency"])
    with django_capture_on_commit_callbacks(execute=True):
        services.idea_set_status(
            idea=public, actor=pm, status=Status.IN_PROGRESS, explanation="Work has started."
        )
    assert notifications.send_digest(other_customer)
    return {"public": public, "internal": internal, "merged": other_public}


def response_text(response) -> str:
    body = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    headers = "\n".join(f"{name}: {value}" for name, value in response.items())
    return headers + "\n" + body.decode("utf-8", errors="replace")


def canaries_in(text: str, ignore: str = "") -> set[str]:
    """The canaries found in `text`; any canary written in `ignore` (the request's URL,
    echoed back by a search page) does not count."""
    text, ignore = text.lower(), unquote(ignore).lower()
    return {
        name
        for name, forms in CANARIES.items()
        if any(form.lower() in text and form.lower() not in ignore for form in forms)
    }


def links_in(text: str) -> list[str]:
    found = []
    for raw in LINK.findall(text):
        url = html.unescape(raw)
        parts = urlsplit(url)
        if parts.scheme and parts.netloc not in ("testserver", "127.0.0.1:8000"):
            continue
        path = parts.path
        if not path.startswith("/") or path.startswith(SKIP_PREFIXES):
            continue
        # The log-in and sign-up pages differ only by their ?next=: one visit is enough.
        query = parts.query if parts.query and not path.startswith("/accounts/") else ""
        found.append(path + (f"?{query}" if query else ""))
    return found


def explicit_urls(seeded) -> list[str]:
    public, internal, merged = seeded["public"], seeded["internal"], seeded["merged"]
    words = [*BAIT, *(forms[0] for forms in CANARIES.values())]
    urls = [
        "/",
        "/roadmap/",
        "/changelog/",
        "/changelog/feed/",
        "/changelog/atom/",
        "/ideas/new/?title=quantum+ledger",
        public.get_absolute_url(),
        f"/ideas/{internal.pk}-{internal.slug}/",
        f"/ideas/{merged.pk}-{merged.slug}/",
        "/notifications/",
        "/account/data/",
        "/api/schema/",
        "/api/schema/?format=json",
        "/api/docs/",
        "/api/v1/ideas/",
        "/api/v1/ideas/?sort=top",
        "/api/v1/categories/",
        "/api/v1/signals/",
        "/api/v1/accounts/",
        "/api/v1/accounts/CANARYCRM/",
    ]
    for idea in (public, internal, merged):
        urls += [f"/api/v1/ideas/{idea.pk}/", f"/api/v1/ideas/{idea.pk}/comments/"]
    for word in words:
        urls += [
            f"/?q={quote(word)}",
            f"/ideas/similar/?title={quote(word)}",
            f"/api/v1/ideas/?q={quote(word)}",
            f"/api/v1/ideas/similar/?text={quote(word)}",
        ]
    return urls


def crawl(client, start: list[str], headers: dict | None = None) -> dict[str, set[str]]:
    """GET every URL in `start` and every same-site link found on the way (BFS, capped).
    Answers {url: canaries found there}."""
    seen: set[str] = set()
    queue = deque(start)
    found: dict[str, set[str]] = {}
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, headers=headers or {})
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        text = response_text(response)
        found[url] = canaries_in(text, ignore=url)
        if response.status_code in (301, 302) and "Location" in response:
            queue.extend(links_in(f'href="{response["Location"]}"'))
        elif "html" in response.get("Content-Type", ""):
            queue.extend(links_in(text))
    return found


def emails_to(address: str) -> dict[str, str]:
    found = {}
    for number, message in enumerate(mail.outbox):
        if address not in message.to:
            continue
        parts = [message.subject, message.body, *(c for c, _ in message.alternatives)]
        found[f"email {number}: {message.subject}"] = "\n".join(str(p) for p in parts)
    return found


def leaks(found: dict[str, set[str]]) -> dict[str, set[str]]:
    return {url: names for url, names in found.items() if names}


@pytest.mark.parametrize("persona", ["visitor", "customer", "other_customer"])
def test_no_canary_reaches_customers_or_visitors(persona, seeded, client, request, pm):
    start = explicit_urls(seeded)
    # A PM reads the public pages first: nothing they saw may be served from a cache.
    warm = Client()
    warm.force_login(pm)
    for url in ("/", "/roadmap/", "/changelog/", "/changelog/feed/", "/api/v1/ideas/"):
        warm.get(url)
    warm.get(seeded["public"].get_absolute_url())
    if persona == "visitor":
        found = crawl(client, start)
        emails = {}
    else:
        user = request.getfixturevalue(persona)
        client.force_login(user)
        found = crawl(client, start)
        # The API again with the person's token, as a script would call it.
        token = Token.objects.create(user=user).key
        client.logout()
        api = [url for url in start if url.startswith("/api/")]
        found.update(
            {
                f"{url} (token)": names
                for url, names in crawl(
                    client, api, headers={"Authorization": f"Token {token}"}
                ).items()
            }
        )
        emails = emails_to(user.email)
        # Status change, merge, release note, and (other_customer) the daily digest.
        assert len(emails) == 4, f"{persona} received {sorted(emails)}"
        found.update({subject: canaries_in(text) for subject, text in emails.items()})
    print(f"{persona}: {len(CANARIES)} canaries x {len(found)} pages ({len(emails)} emails)")
    assert len(found) > 50
    assert not leaks(found), f"Canaries reached {persona}: {leaks(found)}"


def test_the_crawl_finds_the_canaries_as_a_pm(seeded, client, pm):
    """The positive control: the same crawl as a PM meets the canaries, so the crawl does
    reach the places where they live."""
    client.force_login(pm)
    found = crawl(client, explicit_urls(seeded))
    seen = set().union(*found.values())
    missing = set(CANARIES) - seen
    print(f"pm: {len(CANARIES)} canaries x {len(found)} pages; never seen: {sorted(missing)}")
    assert not missing, f"The PM's crawl never met these canaries: {sorted(missing)}"
