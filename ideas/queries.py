"""Reads with rules: what a user may see, listings, search, similar ideas.

Simple filters are QuerySet methods (`Idea.objects.visible_to(user).listed()`); reads that
combine several of them live here as functions.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import TYPE_CHECKING

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import models
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from ideas.choices import Status, Visibility

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from ideas.models import Account, Category, Idea
    from portal.models import User

# Private-use characters mark highlights inside ts_headline's output; input validation forbids
# control characters, and these are swapped for <mark> only after the text is escaped.
MARK_START, MARK_END = "\ue000", "\ue001"
SORTS = {
    "trending": ("-trending_score", "-id"),
    "top": ("-vote_count", "-created_at", "-id"),
    "new": ("-created_at", "-id"),
}
ROADMAP_SHIPPED_DAYS = 90


class IdeaQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser | None) -> IdeaQuerySet:
        """Ideas this user may see: all for the company's people, public ones for others."""
        if user is not None and user.is_authenticated and user.is_internal:
            return self
        return self.filter(visibility=Visibility.PUBLIC)

    def listed(self) -> IdeaQuerySet:
        """Ideas that stand on their own (merged ones live on through their target)."""
        return self.filter(merged_into__isnull=True)

    def for_list(self) -> IdeaQuerySet:
        """What a list row shows, in a fixed number of queries whatever the page length."""
        return self.select_related("category")

    def with_user_vote(self, user: User | AnonymousUser | None) -> IdeaQuerySet:
        """Annotate `has_voted` for this user (always false for visitors)."""
        from ideas.models import Vote

        if user is None or not user.is_authenticated:
            return self.annotate(has_voted=Value(False))
        return self.annotate(has_voted=Exists(Vote.objects.filter(user=user, idea=OuterRef("pk"))))

    def search(self, text: str) -> IdeaQuerySet:
        """Full-text search with websearch syntax ("quotes", -word, or), best match first."""
        query = SearchQuery(text, search_type="websearch", config="english")
        return (
            self.filter(search_vector=query)
            .annotate(
                rank=SearchRank(F("search_vector"), query, cover_density=True),
                title_headline=SearchHeadline(
                    "title",
                    query,
                    config="english",
                    start_sel=MARK_START,
                    stop_sel=MARK_END,
                    highlight_all=True,
                ),
                body_headline=SearchHeadline(
                    "body",
                    query,
                    config="english",
                    start_sel=MARK_START,
                    stop_sel=MARK_END,
                    max_words=35,
                    min_words=15,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                ),
            )
            .order_by("-rank", "-vote_count", "-id")
        )


def highlight(text: str) -> SafeString:
    """Escape a ts_headline result, then turn its markers into <mark> tags."""
    escaped = html.escape(text or "")
    return mark_safe(  # noqa: S308 - escaped above; only our own tags are added
        escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    )


def idea_list(
    *,
    user: User | AnonymousUser,
    sort: str = "trending",
    search: str = "",
    category: str = "",
    status: str = "",
) -> IdeaQuerySet:
    """The forum list: visible, not merged, filtered, searched or sorted, with my votes."""
    from ideas.models import Idea

    ideas = Idea.objects.visible_to(user).listed().for_list().with_user_vote(user)
    if category:
        ideas = ideas.filter(category__slug=category)
    if status in Status.values:
        ideas = ideas.filter(status=status)
    if search.strip():
        return ideas.search(search.strip())
    return ideas.order_by(*SORTS.get(sort, SORTS["trending"]))


def similar_ideas(
    text: str,
    *,
    user: User | AnonymousUser | None,
    body: str = "",
    limit: int = 5,
    exclude_pk: int | None = None,
) -> list[Idea]:
    """Ideas most like `text`, among those `user` may see, best first, each with a
    `similarity` from 0 to 1 (BM25 over full-text search, rare words weighing most: see
    ideas/similarity.py). Used while someone types a new idea's title, and on capture."""
    from ideas import similarity
    from ideas.models import Idea

    ideas = Idea.objects.visible_to(user).listed().select_related("category").with_user_vote(user)
    if exclude_pk:
        ideas = ideas.exclude(pk=exclude_pk)
    # A title-like `text` and a longer `body` rank better apart than glued together.
    return similarity.similar(text, ideas=ideas, body=body, limit=limit)


def roadmap(*, user: User | AnonymousUser) -> dict[str, list[Idea]]:
    """Planned, in progress, and recently shipped ideas, each column by votes."""
    from ideas.models import Idea

    since = timezone.now() - dt.timedelta(days=ROADMAP_SHIPPED_DAYS)
    ideas = (
        Idea.objects.visible_to(user)
        .listed()
        .for_list()
        .filter(
            Q(status__in=[Status.PLANNED, Status.IN_PROGRESS])
            | Q(status=Status.SHIPPED, status_changed_at__gte=since)
        )
        .order_by("-vote_count", "-id")
    )
    columns: dict[str, list[Idea]] = {
        Status.PLANNED: [],
        Status.IN_PROGRESS: [],
        Status.SHIPPED: [],
    }
    for idea in ideas:
        columns[idea.status].append(idea)
    return columns


# Evidence: what the field and the forum say about an idea, computed by PostgreSQL.


def idea_evidence(idea: Idea) -> dict:
    """The evidence summary for one idea, plus its signals grouped by account and the
    accounts whose people voted. For the company's people only (check can_see_evidence)."""
    from ideas.models import IdeaEvidence, Signal, Vote

    # The ideas_idea_evidence view (see docs/scoring.md); PostgreSQL narrows it to this idea.
    figures = IdeaEvidence.objects.get(idea_id=idea.pk)
    signals = (
        Signal.objects.filter(idea=idea)
        .select_related("account", "captured_by")
        .order_by("account__name", "account_id", "-heard_on", "-id")
    )
    voting_accounts = (
        Vote.objects.filter(idea=idea, user__account__isnull=False)
        .values("user__account_id", "user__account__name")
        .annotate(voters=Count("pk"))
        .order_by("-voters", "user__account__name")
    )
    return {"figures": figures, "signals": signals, "voting_accounts": voting_accounts}


def my_signals(user: User) -> models.QuerySet:
    """What this person captured, newest first, with each linked idea's status and the
    latest public explanation of it, in one query."""
    from ideas.models import Signal, StatusChange

    latest_explanation = (
        StatusChange.objects.filter(idea=OuterRef("idea"), is_public=True)
        .exclude(explanation="")
        .order_by("-created_at", "-id")
    )
    return (
        Signal.objects.filter(captured_by=user)
        .select_related("account", "idea")
        .annotate(
            latest_explanation=Subquery(latest_explanation.values("explanation")[:1]),
            latest_explanation_at=Subquery(latest_explanation.values("created_at")[:1]),
        )
        .order_by("-created_at", "-id")
    )


def account_search(text: str, *, limit: int = 8) -> models.QuerySet:
    """Accounts whose name or email domain contains `text`, names that start with it first."""
    from ideas.models import Account

    text = " ".join(text.split())[:100]
    if not text:
        return Account.objects.none()
    return (
        Account.objects.filter(Q(name__icontains=text) | Q(domain__icontains=text))
        .annotate(
            starts=models.Case(
                models.When(name__istartswith=text, then=Value(0)), default=Value(1)
            )
        )
        .order_by("starts", "name")[:limit]
    )


def account_list(text: str = "") -> models.QuerySet:
    """Accounts with their signal and voter counts, biggest first."""
    from ideas.models import Account, Signal, Vote
    from portal.models import User

    accounts = Account.objects.select_related("owner").annotate(
        signal_count=count_rows(Signal.objects.filter(account=OuterRef("pk"))),
        # One vote per user and idea, so voters = distinct users with a vote.
        voter_count=count_rows(
            User.objects.filter(account=OuterRef("pk")).filter(
                Exists(Vote.objects.filter(user=OuterRef("pk")))
            )
        ),
    )
    text = " ".join(text.split())[:100]
    if text:
        accounts = accounts.filter(
            Q(name__icontains=text) | Q(domain__icontains=text) | Q(external_id__iexact=text)
        )
    return accounts.order_by("-arr", "name")


def count_rows(queryset: models.QuerySet) -> Coalesce:
    """COUNT(*) of a (correlated) queryset as a subquery expression, 0 when empty."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def account_ideas(account: Account) -> models.QuerySet:
    """Ideas this account cares about: with signals heard from it or votes from its people."""
    from ideas.models import Idea, Signal, Vote

    signals = Signal.objects.filter(account=account, idea=OuterRef("pk"))
    votes = Vote.objects.filter(user__account=account, idea=OuterRef("pk"))
    return (
        Idea.objects.listed()
        .select_related("category")
        .annotate(
            account_signals=count_rows(signals),
            account_votes=count_rows(votes),
        )
        .filter(Q(account_signals__gt=0) | Q(account_votes__gt=0))
        .order_by("-account_signals", "-account_votes", "-vote_count")
    )


# Triage: everything waiting for a product manager's decision.

TRIAGE_AGES = {
    "week": (None, 7),  # newer than 7 days
    "month": (7, 30),
    "older": (30, None),
}
STAFF_ROLES = ("staff", "pm", "admin")


def _age_filter(field: str, age: str) -> Q:
    if age not in TRIAGE_AGES:
        return Q()
    older_than, newer_than = TRIAGE_AGES[age]
    now = timezone.now()
    condition = Q()
    if older_than is not None:
        condition &= Q(**{f"{field}__lt": now - dt.timedelta(days=older_than)})
    if newer_than is not None:
        condition &= Q(**{f"{field}__gte": now - dt.timedelta(days=newer_than)})
    return condition


def triage_sets(filters: dict) -> tuple[models.QuerySet, models.QuerySet]:
    """New ideas and unrouted signals, narrowed by source, category, segment and age."""
    from ideas.models import Idea, Signal

    ideas = Idea.objects.listed().filter(status=Status.NEW)
    signals = Signal.objects.filter(idea__isnull=True)
    source = filters.get("source", "")
    if source in {"customer", "sales", "staff"}:
        ideas = ideas.filter(source=source)
        if source == "customer":
            signals = signals.none()
        elif source == "sales":
            signals = signals.filter(captured_by__role="sales")
        else:
            signals = signals.filter(captured_by__role__in=STAFF_ROLES)
    if filters.get("category"):
        ideas = ideas.filter(category__slug=filters["category"])
        signals = signals.none()  # signals have no category until routed
    if filters.get("segment"):
        ideas = ideas.filter(account__segment=filters["segment"])
        signals = signals.filter(account_segment=filters["segment"])
    age = filters.get("age", "")
    return ideas.filter(_age_filter("created_at", age)), signals.filter(
        _age_filter("created_at", age)
    )


def triage_queue(
    filters: dict, *, newest_first: bool = False, upto: int | None
) -> models.QuerySet:
    """One list of (kind, pk, created_at) over new ideas and unrouted signals, oldest first:
    a UNION in SQL, so it pages in the database whatever its length.

    Each half stops at its first `upto` rows in queue order (an index walk), and the union
    sorts those: enough for any page ending at row `upto`, without sorting every waiting
    item on each request. `upto=None` is the whole queue (to count it)."""
    order = ("-created_at", "-pk") if newest_first else ("created_at", "pk")

    def half(queryset: models.QuerySet, kind: str) -> models.QuerySet:
        rows = queryset.annotate(queue_kind=Value(kind)).values_list(
            "queue_kind", "pk", "created_at"
        )
        return rows.order_by(*order)[:upto] if upto is not None else rows.order_by()

    ideas, signals = triage_sets(filters)
    return half(ideas, "idea").union(half(signals, "signal"), all=True).order_by(*order)


def triage_page_objects(rows: list[tuple]) -> list:
    """The ideas and signals behind a page of queue rows, in two queries, in row order."""
    from ideas.models import Idea, Signal

    idea_ids = [pk for kind, pk, _ in rows if kind == "idea"]
    signal_ids = [pk for kind, pk, _ in rows if kind == "signal"]
    ideas = Idea.objects.select_related("category", "author", "account").in_bulk(idea_ids)
    signals = Signal.objects.select_related("account", "captured_by").in_bulk(signal_ids)
    return [
        ("idea", ideas[pk]) if kind == "idea" else ("signal", signals[pk])
        for kind, pk, _ in rows
        if pk in (ideas if kind == "idea" else signals)
    ]


def triage_counts(categories: list[Category]) -> dict:
    """How many items wait under each filter value, for the filter bar: one pass over the
    new ideas and one over the unrouted signals, each counting every value at once."""
    from ideas.choices import IdeaSource, Segment
    from ideas.models import Idea, Signal

    ages = {name: _age_filter("created_at", name) for name in TRIAGE_AGES}
    segments = {value: Q(account__segment=value) for value in Segment}
    idea_counts = (
        Idea.objects.listed()
        .filter(status=Status.NEW)
        .aggregate(
            **{f"source:{value}": Count("pk", filter=Q(source=value)) for value in IdeaSource},
            **{f"category:{c.slug}": Count("pk", filter=Q(category=c.pk)) for c in categories},
            **{f"segment:{value}": Count("pk", filter=q) for value, q in segments.items()},
            **{f"age:{name}": Count("pk", filter=condition) for name, condition in ages.items()},
        )
    )
    signal_counts = Signal.objects.filter(idea__isnull=True).aggregate(
        **{
            "source:sales": Count("pk", filter=Q(captured_by__role="sales")),
            "source:staff": Count("pk", filter=Q(captured_by__role__in=STAFF_ROLES)),
        },
        **{f"segment:{value}": Count("pk", filter=Q(account_segment=value)) for value in Segment},
        **{f"age:{name}": Count("pk", filter=condition) for name, condition in ages.items()},
    )
    counts: dict = {"source": {}, "category": {}, "segment": {}, "age": {}}
    for counted in (idea_counts, signal_counts):
        for key, n in counted.items():
            group, value = key.split(":", 1)
            counts[group][value] = counts[group].get(value, 0) + n
    # The age buckets cover every item exactly once.
    counts["total"] = sum(counts["age"].values())
    return counts
