"""Every write that has rules. Views, the API, admin actions and commands all call these.

Each service runs in one transaction and keeps the denormalised counters exact with F()
updates made while the idea's row is locked, so concurrent votes, comments and merges never
lose or double-count anything.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from ideas import trending
from ideas.choices import (
    IdeaSource,
    Importance,
    Lifecycle,
    SignalKind,
    Source,
    Status,
    SubscriptionReason,
    Visibility,
)
from ideas.models import Account, Category, Comment, Idea, Signal, Subscription, Vote
from ideas.queries import count_rows
from portal.models import Role, User


class ServiceError(Exception):
    """A rule refused the action; the message is safe to show to the user."""


def _lock_idea(idea: Idea) -> Idea:
    # Voting, commenting and merging all lock the idea's row first, so they serialise per
    # idea and a vote can never land on an idea that a concurrent merge just closed.
    return Idea.objects.select_for_update().get(pk=idea.pk)


def subscription_add(*, user: User, idea: Idea, reason: SubscriptionReason) -> None:
    """Make `user` hear about `idea`, unless they already do or chose to stop."""
    Subscription.objects.bulk_create(
        [Subscription(user=user, idea=idea, reason=reason)], ignore_conflicts=True
    )


def idea_follow(*, user: User, idea: Idea) -> None:
    """Follow an idea explicitly (also re-activates a follow the user had turned off)."""
    Subscription.objects.update_or_create(
        user=user,
        idea=idea,
        defaults={"active": True},
        create_defaults={"active": True, "reason": SubscriptionReason.FOLLOWER},
    )


def idea_unfollow(*, user: User, idea: Idea) -> None:
    """Stop hearing about an idea; automatic follows (votes, comments) will not undo this."""
    Subscription.objects.update_or_create(
        user=user,
        idea=idea,
        defaults={"active": False},
        create_defaults={"active": False, "reason": SubscriptionReason.FOLLOWER},
    )


def idea_submit(
    *,
    author: User,
    title: str,
    body: str = "",
    category: Category | None = None,
    visibility: Visibility = Visibility.PUBLIC,
) -> Idea:
    """Post a new idea; the author follows it."""
    source = {
        "sales": IdeaSource.SALES,
        "staff": IdeaSource.STAFF,
        "pm": IdeaSource.STAFF,
        "admin": IdeaSource.STAFF,
    }.get(author.role, IdeaSource.CUSTOMER)
    with transaction.atomic():
        idea = Idea.objects.create(
            title=title,
            body=body,
            category=category,
            author=author,
            account=author.account,
            source=source,
            visibility=visibility,
            status=Status.NEW,
        )
        subscription_add(user=author, idea=idea, reason=SubscriptionReason.AUTHOR)
    return idea


def vote_add(*, user: User, idea: Idea) -> Idea:
    """Vote for an idea. Voting twice changes nothing. Returns the idea with its new count."""
    with transaction.atomic():
        idea = _lock_idea(idea)
        if idea.merged_into_id is not None:
            raise ServiceError("This idea was merged into another one; vote there instead.")
        if not idea.can_be_voted:
            raise ServiceError("Voting is closed for this idea.")
        try:
            with transaction.atomic():
                Vote.objects.create(user=user, idea=idea)
        except IntegrityError:
            return idea  # already voted: the unique constraint keeps it to one
        Idea.objects.filter(pk=idea.pk).update(
            vote_count=F("vote_count") + 1,
            trending_score=trending.add_vote_expression(timezone.now()),
        )
        subscription_add(user=user, idea=idea, reason=SubscriptionReason.VOTER)
        idea.refresh_from_db(fields=["vote_count"])
    return idea


def vote_remove(*, user: User, idea: Idea) -> Idea:
    """Take a vote back. Removing a vote that is not there changes nothing."""
    with transaction.atomic():
        idea = _lock_idea(idea)
        deleted, _ = Vote.objects.filter(user=user, idea=idea).delete()
        if deleted:
            # Removing a term from a log-sum-exp loses precision; rebuild it from the rows.
            Idea.objects.filter(pk=idea.pk).update(
                vote_count=F("vote_count") - deleted,
                trending_score=trending.exact_score_expression(),
            )
            idea.refresh_from_db(fields=["vote_count"])
    return idea


def comment_add(*, author: User, idea: Idea, body: str, is_internal: bool = False) -> Comment:
    """Comment on an idea (or add a private note, for the company's people); author follows."""
    if is_internal and not author.is_internal:
        raise ServiceError("Only the company's people can write private notes.")
    with transaction.atomic():
        idea = _lock_idea(idea)
        if idea.merged_into_id is not None:
            raise ServiceError("This idea was merged into another one; comment there instead.")
        comment = Comment.objects.create(
            idea=idea, author=author, body=body, is_internal=is_internal
        )
        if not is_internal:
            Idea.objects.filter(pk=idea.pk).update(comment_count=F("comment_count") + 1)
        subscription_add(user=author, idea=idea, reason=SubscriptionReason.COMMENTER)
    return comment


def comment_delete(*, comment: Comment) -> None:
    """Remove a comment and keep the idea's public count exact."""
    with transaction.atomic():
        _lock_idea(comment.idea)
        deleted, _ = Comment.objects.filter(pk=comment.pk).delete()
        if deleted and not comment.is_internal:
            Idea.objects.filter(pk=comment.idea_id).update(comment_count=F("comment_count") - 1)


def idea_recount_counters(ideas: QuerySet[Idea]) -> int:
    """Rebuild vote_count, comment_count and trending_score of `ideas` from the rows.

    One UPDATE; only ideas whose counters are wrong are written (no needless row locks or
    WAL). Returns how many were corrected. Internal notes never count as comments.
    """
    votes = count_rows(Vote.objects.filter(idea=OuterRef("pk")))
    comments = count_rows(Comment.objects.filter(idea=OuterRef("pk"), is_internal=False))
    score = trending.exact_score_expression()
    return (
        ideas.alias(true_votes=votes, true_comments=comments, true_score=score)
        .exclude(
            vote_count=F("true_votes"),
            comment_count=F("true_comments"),
            trending_score__gte=F("true_score") - 1e-9,
            trending_score__lte=F("true_score") + 1e-9,
        )
        .update(vote_count=votes, comment_count=comments, trending_score=score)
    )


def user_link_account(*, user: User) -> Account | None:
    """Join a customer without an account to the Account at one of their verified domains."""
    # Checked before any query: the adapter calls this on every log-in.
    if user.role != Role.CUSTOMER or user.account_id is not None:
        return None
    # The primary address decides when verified addresses sit at several accounts' domains.
    emails = (
        EmailAddress.objects.filter(user=user, verified=True)
        .order_by("-primary", "pk")
        .values_list("email", flat=True)
    )
    domains = [email.rpartition("@")[2].lower() for email in emails]
    if not domains:
        return None
    accounts = {
        account.domain.lower(): account
        for account in Account.objects.alias(domain_lower=Lower("domain")).filter(
            domain_lower__in=domains
        )
    }
    account = next((accounts[domain] for domain in domains if domain in accounts), None)
    if account is None:
        return None
    user.account = account
    user.save(update_fields=["account"])
    return account


def idea_resolve_merges(idea: Idea) -> Idea:
    """The idea that now stands for `idea`: its merge target, followed to the end."""
    seen = {idea.pk}
    while idea.merged_into_id is not None:
        if idea.merged_into_id in seen:  # a cycle cannot be created, but never loop forever
            break
        seen.add(idea.merged_into_id)
        idea = Idea.objects.get(pk=idea.merged_into_id)
    return idea


def account_create_prospect(
    *, name: str, segment: str = "", region: str = "", owner: User | None = None
) -> Account:
    """A new prospect account, typed in by a rep who met someone not yet in the CRM."""
    return Account.objects.create(
        name=name, segment=segment, region=region, lifecycle=Lifecycle.PROSPECT, owner=owner
    )


def signal_capture(
    *,
    captured_by: User,
    account: Account | None,
    verbatim: str,
    heard_on: dt.date,
    summary: str = "",
    contact_name: str = "",
    contact_role: str = "",
    kind: str = SignalKind.FEATURE_REQUEST,
    competitor: str = "",
    source: str = Source.MEETING,
    importance: str = Importance.IMPORTANT,
    opportunity_value: Decimal | None = None,
    deal_stage: str = "",
    idea: Idea | None = None,
    proposed_title: str = "",
    prospect: dict | None = None,
) -> Signal:
    """Record what a customer or prospect said, for `account` or for a new `prospect`
    ({"name", "segment", "region"}). Linking an idea routes the signal there (following
    merges) and makes the rep follow that idea."""
    with transaction.atomic():
        if prospect:
            account = account_create_prospect(**prospect, owner=captured_by)
        if idea is not None:
            idea = idea_resolve_merges(_lock_idea(idea))
        signal = Signal(
            captured_by=captured_by,
            account=account,
            verbatim=verbatim,
            summary=summary,
            contact_name=contact_name,
            contact_role=contact_role,
            kind=kind,
            competitor=competitor if kind == SignalKind.COMPETITOR else "",
            source=source,
            heard_on=heard_on,
            importance=importance,
            opportunity_value=opportunity_value,
            deal_stage=deal_stage,
            idea=idea,
            proposed_title="" if idea is not None else proposed_title,
        )
        if idea is not None:
            signal.routed_at = timezone.now()
            signal.routed_by = captured_by
        signal.take_account_snapshot()
        signal.save()
        if idea is not None:
            subscription_add(user=captured_by, idea=idea, reason=SubscriptionReason.SIGNAL)
    return signal
