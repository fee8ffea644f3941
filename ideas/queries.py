"""Reads with rules: what a user may see, listings, search, similar ideas.

Simple filters are QuerySet methods (`Idea.objects.visible_to(user).listed()`); reads that
combine several of them live here as functions.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import operator
import re
from typing import TYPE_CHECKING

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Value
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from ideas.choices import Status, Visibility

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from ideas.models import Idea
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
WORD = re.compile(r"\w+")
MAX_SIMILAR_WORDS = 16


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
    text: str, *, user: User | AnonymousUser | None, limit: int = 5, exclude_pk: int | None = None
) -> list[Idea]:
    """Ideas most like `text`, among those `user` may see: any shared word counts, rarer
    and more frequent matches rank higher. Used while someone types a new idea's title."""
    from ideas.models import Idea

    words = list(dict.fromkeys(word.lower() for word in WORD.findall(text)))[:MAX_SIMILAR_WORDS]
    if not words or len(" ".join(words)) < 3:
        return []
    # Any shared word matches (OR); ts_rank favours ideas that share more, and rarer, words.
    any_word = functools.reduce(
        operator.or_, (SearchQuery(word, config="english") for word in words)
    )
    ideas = (
        Idea.objects.visible_to(user)
        .listed()
        .select_related("category")
        .with_user_vote(user)
        .filter(search_vector=any_word)
        .annotate(rank=SearchRank(F("search_vector"), any_word, normalization=Value(1)))
        .order_by("-rank", "-vote_count", "-id")
    )
    if exclude_pk:
        ideas = ideas.exclude(pk=exclude_pk)
    return list(ideas[:limit])


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
