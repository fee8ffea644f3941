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
from django.db.models import F, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from ideas import cache as anon_cache
from ideas import evidence, insights, permissions, tasks, trending, webhooks
from ideas.choices import (
    DECISION_STATUSES,
    ActivityKind,
    IdeaSource,
    Importance,
    Lifecycle,
    NotificationKind,
    SignalKind,
    Source,
    Status,
    SubscriptionReason,
    Visibility,
    WebhookEvent,
)
from ideas.models import (
    Account,
    Category,
    Comment,
    Idea,
    IdeaEvidence,
    Notification,
    ReleaseNote,
    ScoringWeights,
    Signal,
    StatusChange,
    Subscription,
    Vote,
)
from ideas.queries import count_rows
from portal.logging import security_event
from portal.models import Role, User


class ServiceError(Exception):
    """A rule refused the action; the message is safe to show to the user."""


def _lock_idea(idea: Idea) -> Idea:
    # Voting, commenting and merging all lock the idea's row first, so they serialise per
    # idea and a vote can never land on an idea that a concurrent merge just closed.
    # The search vector is never needed here, and reading it may mean a TOAST fetch.
    return Idea.objects.select_for_update().defer("search_vector").get(pk=idea.pk)


def _lock_live_idea(idea: Idea) -> Idea:
    """Lock the idea that stands for `idea` now: itself, or what it was merged into.

    Locks follow merges from source to target, the direction idea_merge also locks in when
    the source has the lower id, so a vote racing a merge waits and then lands on the target.
    """
    locked = _lock_idea(idea)
    for _ in range(20):
        if locked.merged_into_id is None:
            return locked
        locked = _lock_idea(Idea(pk=locked.merged_into_id))
    raise ServiceError("This idea's merges go round in circles; ask a product manager.")


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
        webhooks.emit(WebhookEvent.IDEA_CREATED, webhooks.idea_payload(idea))
    return idea


def vote_add(*, user: User, idea: Idea) -> Idea:
    """Vote for an idea. Voting twice changes nothing. Returns the idea with its new count."""
    with transaction.atomic():
        # A vote for a merged idea counts for the idea it was merged into: nothing is lost.
        idea = _lock_live_idea(idea)
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
        anon_cache.bump()  # visitors' lists and roadmap show the new count after commit
    return idea


def vote_remove(*, user: User, idea: Idea) -> Idea:
    """Take a vote back. Removing a vote that is not there changes nothing."""
    with transaction.atomic():
        idea = _lock_live_idea(idea)
        deleted, _ = Vote.objects.filter(user=user, idea=idea).delete()
        if deleted:
            # Removing a term from a log-sum-exp loses precision; rebuild it from the rows.
            Idea.objects.filter(pk=idea.pk).update(
                vote_count=F("vote_count") - deleted,
                trending_score=trending.exact_score_expression(),
            )
            idea.refresh_from_db(fields=["vote_count"])
            anon_cache.bump()
    return idea


def comment_add(*, author: User, idea: Idea, body: str, is_internal: bool = False) -> Comment:
    """Comment on an idea (or add a private note, for the company's people); author follows."""
    if is_internal and not author.is_internal:
        raise ServiceError("Only the company's people can write private notes.")
    sentiment = insights.sentiment_score(body)  # scored once here, aggregated by insights
    with transaction.atomic():
        idea = _lock_live_idea(idea)
        comment = Comment.objects.create(
            idea=idea, author=author, body=body, is_internal=is_internal, sentiment=sentiment
        )
        if not is_internal:
            Idea.objects.filter(pk=idea.pk).update(comment_count=F("comment_count") + 1)
            anon_cache.bump()
        subscription_add(user=author, idea=idea, reason=SubscriptionReason.COMMENTER)
    return comment


def comment_delete(*, comment: Comment) -> None:
    """Remove a comment and keep the idea's public count exact."""
    with transaction.atomic():
        _lock_idea(comment.idea)
        deleted, _ = Comment.objects.filter(pk=comment.pk).delete()
        if deleted and not comment.is_internal:
            Idea.objects.filter(pk=comment.idea_id).update(comment_count=F("comment_count") - 1)
            anon_cache.bump()


def idea_recount_counters(ideas: QuerySet[Idea]) -> int:
    """Rebuild vote_count, comment_count and trending_score of `ideas` from the rows.

    One UPDATE; only ideas whose counters are wrong are written (no needless row locks or
    WAL). Returns how many were corrected. Internal notes never count as comments.
    """
    votes = count_rows(Vote.objects.filter(idea=OuterRef("pk")))
    comments = count_rows(Comment.objects.filter(idea=OuterRef("pk"), is_internal=False))
    score = trending.exact_score_expression()
    corrected = (
        ideas.alias(true_votes=votes, true_comments=comments, true_score=score)
        .exclude(
            vote_count=F("true_votes"),
            comment_count=F("true_comments"),
            trending_score__gte=F("true_score") - 1e-9,
            trending_score__lte=F("true_score") + 1e-9,
        )
        .update(vote_count=votes, comment_count=comments, trending_score=score)
    )
    if corrected:
        anon_cache.bump()
    return corrected


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


# What a CRM sync may set on an account (see account_upsert).
ACCOUNT_SYNC_FIELDS = frozenset(
    {"name", "domain", "segment", "region", "plan", "arr", "lifecycle"}
)


def account_create_prospect(
    *, name: str, segment: str = "", region: str = "", owner: User | None = None
) -> Account:
    """A new prospect account, typed in by a rep who met someone not yet in the CRM."""
    return Account.objects.create(
        name=name, segment=segment, region=region, lifecycle=Lifecycle.PROSPECT, owner=owner
    )


def account_upsert(*, external_id: str, **fields: object) -> tuple[Account, bool]:
    """Create or update the account with this CRM id; fields left out keep their value.

    `fields` are among ACCOUNT_SYNC_FIELDS. Returns (account, created)."""
    if unknown := set(fields) - ACCOUNT_SYNC_FIELDS:
        raise TypeError(f"Unknown account fields: {sorted(unknown)}")
    domain = fields.get("domain")
    if domain and (
        Account.objects.filter(domain__iexact=domain).exclude(external_id=external_id).exists()
    ):
        raise ServiceError(f"Another account already has the email domain {domain}.")
    for _attempt in range(2):
        try:
            with transaction.atomic():
                account = (
                    Account.objects.select_for_update().filter(external_id=external_id).first()
                )
                if account is None:
                    return Account.objects.create(external_id=external_id, **fields), True
                changed = [name for name, val in fields.items() if getattr(account, name) != val]
                for name in changed:
                    setattr(account, name, fields[name])
                if changed:
                    account.save(update_fields=[*changed, "updated_at"])
                return account, False
        except IntegrityError:
            # Another sync created this CRM id a moment ago: the second attempt updates it.
            continue
    raise ServiceError("The account changed at the same time; send it again.")


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
        signal.sentiment = insights.sentiment_score(verbatim)  # scored once, for insights
        signal.save()
        if idea is not None:
            subscription_add(user=captured_by, idea=idea, reason=SubscriptionReason.SIGNAL)
        webhooks.emit(WebhookEvent.SIGNAL_CAPTURED, webhooks.signal_payload(signal))
    # Ids only: the verbatim and the opportunity value stay out of the logs.
    security_event(
        "signal_captured",
        actor=captured_by.pk,
        target=f"signal:{signal.pk}",
        account=account.pk if account else "-",
        idea=signal.idea_id or "-",
    )
    return signal


# Triage: decisions, merges, routing. Every action leaves a StatusChange row on the timeline.


def _record(
    *,
    idea: Idea,
    actor: User | None,
    kind: ActivityKind,
    explanation: str = "",
    is_public: bool = False,
    from_status: str = "",
    to_status: str = "",
    evidence: dict | None = None,
    data: dict | None = None,
) -> StatusChange:
    return StatusChange.objects.create(
        idea=idea,
        actor=actor,
        kind=kind,
        explanation=explanation,
        is_public=is_public,
        from_status=from_status,
        to_status=to_status,
        evidence=evidence,
        data=data or {},
    )


def decision_record(idea: Idea) -> dict:
    """The evidence, score and weights as they stand now, frozen into a decision."""
    weights = ScoringWeights.load()
    record = IdeaEvidence.objects.get(idea_id=idea.pk).snapshot()
    record["weights"] = {name: getattr(weights, name) for name in ScoringWeights.WEIGHT_FIELDS}
    record["recorded_at"] = timezone.now().isoformat()
    return record


def notify_followers(
    *,
    idea: Idea,
    kind: NotificationKind,
    message: str,
    exclude: User | None = None,
    only: list[int] | None = None,
    data: dict | None = None,
) -> int:
    """Notify everyone following `idea` (or just the users in `only`) who may see it:
    a row in their in-app list, and an email sent by the worker after commit for those
    who want emails at once (the daily digest picks up the rest)."""
    if only is not None:
        people = User.objects.filter(pk__in=only)
    else:
        people = User.objects.filter(subscriptions__idea=idea, subscriptions__active=True)
    people = permissions.users_who_can_view(idea, people)
    if exclude is not None:
        people = people.exclude(pk=exclude.pk)
    people = list(people.distinct().only("pk", "email_frequency"))
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient=user, idea=idea, kind=kind, message=message[:500], data=data or {}
            )
            for user in people
        ]
    )
    frequency = {user.pk: user.email_frequency for user in people}
    immediate = [row.pk for row in rows if frequency[row.recipient_id] == "immediately"]
    if immediate:
        transaction.on_commit(lambda: tasks.enqueue_notification_emails(immediate))
    return len(rows)


def idea_set_status(
    *, idea: Idea, actor: User, status: str, explanation: str = ""
) -> StatusChange:
    """Move an idea to a new status with a public explanation (required to decline).

    A decision (planned, shipped, declined) freezes the evidence and score of the moment."""
    explanation = explanation.strip()
    if status not in Status.values:
        raise ServiceError("Choose a valid status.")
    if status == Status.DECLINED and not explanation:
        raise ServiceError("Explain why the idea is declined: the people who asked will read it.")
    with transaction.atomic():
        idea = _lock_idea(idea)
        if idea.merged_into_id is not None:
            raise ServiceError("This idea was merged; change the status of the idea it joined.")
        if idea.status == status and not explanation:
            raise ServiceError(f"The idea is already {Status(status).label.lower()}.")
        now = timezone.now()
        change = _record(
            idea=idea,
            actor=actor,
            kind=ActivityKind.STATUS,
            from_status=idea.status,
            to_status=status,
            explanation=explanation,
            is_public=True,
            evidence=decision_record(idea) if status in DECISION_STATUSES else None,
        )
        idea.status = status
        idea.status_changed_at = now
        fields = ["status", "status_changed_at", "updated_at"]
        if explanation:
            idea.public_response = explanation
            idea.public_response_at = now
            idea.public_response_by = actor
            fields += ["public_response", "public_response_at", "public_response_by"]
        idea.save(update_fields=fields)
        anon_cache.bump()  # the roadmap and status filters move (idea.save bumps it too)
        notify_followers(
            idea=idea,
            kind=NotificationKind.STATUS,
            message=f"“{idea.title}” is now {Status(status).label.lower()}.",
            exclude=actor,
            data={"from": change.from_status, "to": status, "explanation": explanation},
        )
        webhooks.emit(WebhookEvent.IDEA_STATUS_CHANGED, webhooks.status_change_payload(change))
    security_event(
        "status_decision",
        actor=actor.pk,
        target=f"idea:{idea.pk}",
        from_status=change.from_status,
        to_status=status,
    )
    return change


def idea_update(
    *,
    idea: Idea,
    actor: User,
    title: str,
    body: str,
    category: Category | None,
    tags: list | None = None,
) -> Idea:
    """Edit an idea's text, category and tags; the timeline says what changed."""
    with transaction.atomic():
        idea = _lock_idea(idea)
        changed = [
            name
            for name, value in (("title", title), ("body", body), ("category", category))
            if getattr(idea, name) != value
        ]
        idea.title, idea.body, idea.category = title, body, category
        if "title" in changed:
            idea.slug = ""  # save() derives the new one; old URLs redirect to it
        idea.save(update_fields=["title", "body", "category", "slug", "updated_at"])
        if tags is not None and set(idea.tags.all()) != set(tags):
            idea.tags.set(tags)
            changed.append("tags")
        if changed:
            _record(idea=idea, actor=actor, kind=ActivityKind.EDIT, data={"changed": changed})
    return idea


def idea_set_owner(*, idea: Idea, actor: User, owner: User | None) -> Idea:
    """Assign the product manager who owns the decision."""
    if owner is not None and not owner.is_pm:
        raise ServiceError("Only a product manager or admin can own an idea.")
    with transaction.atomic():
        idea = _lock_idea(idea)
        if idea.owner_id != (owner.pk if owner else None):
            idea.owner = owner
            idea.save(update_fields=["owner", "updated_at"])
            _record(
                idea=idea,
                actor=actor,
                kind=ActivityKind.OWNER,
                data={"owner": owner.pk if owner else None},
                explanation=f"Owner: {owner.display_name}" if owner else "Owner removed",
            )
    return idea


def idea_set_visibility(*, idea: Idea, actor: User, visibility: str) -> Idea:
    """Make an idea public (on the forum) or internal (company only)."""
    if visibility not in Visibility.values:
        raise ServiceError("Choose public or internal.")
    with transaction.atomic():
        idea = _lock_idea(idea)
        if idea.visibility != visibility:
            idea.visibility = visibility
            idea.save(update_fields=["visibility", "updated_at"])
            _record(
                idea=idea,
                actor=actor,
                kind=ActivityKind.VISIBILITY,
                explanation=f"Now {Visibility(visibility).label.lower()}",
                data={"visibility": visibility},
            )
    return idea


def idea_set_inputs(
    *, idea: Idea, actor: User, effort: Decimal | None, strategic_fit: int | None
) -> Idea:
    """The PM's own inputs to the score: effort in person-weeks, strategic fit 0-5."""
    if effort is not None and effort < 0:
        raise ServiceError("Effort cannot be negative.")
    if strategic_fit is not None and not 0 <= strategic_fit <= 5:
        raise ServiceError("Strategic fit goes from 0 to 5.")
    with transaction.atomic():
        idea = _lock_idea(idea)
        if (idea.effort, idea.strategic_fit) != (effort, strategic_fit):
            idea.effort, idea.strategic_fit = effort, strategic_fit
            idea.save(update_fields=["effort", "strategic_fit", "updated_at"])
            _record(
                idea=idea,
                actor=actor,
                kind=ActivityKind.EDIT,
                data={
                    "effort": str(effort) if effort is not None else None,
                    "strategic_fit": strategic_fit,
                },
            )
            evidence.request_refresh()  # the board's score includes them
    return idea


def idea_merge(*, source: Idea, target: Idea, actor: User) -> Idea:
    """Merge `source` into `target`: votes (one per person), comments, signals and followers
    move, counters are rebuilt from the rows, `source` redirects to `target` from now on."""
    if source.pk == target.pk:
        raise ServiceError("An idea cannot be merged into itself.")
    with transaction.atomic():
        # Lock both rows in id order, so two merges of the same pair can never deadlock.
        first, second = sorted([source.pk, target.pk])
        locked = {i.pk: i for i in Idea.objects.select_for_update().filter(pk__in=[first, second])}
        source, target = locked[source.pk], locked[target.pk]
        if source.merged_into_id is not None:
            raise ServiceError(f"“{source.title}” was already merged into another idea.")
        if target.merged_into_id is not None:
            raise ServiceError(
                f"“{target.title}” was itself merged into another idea; merge into that one."
            )
        # A person who voted for both keeps one vote, on the target.
        both = Vote.objects.filter(idea=target).values("user_id")
        Vote.objects.filter(idea=source).exclude(user_id__in=both).update(idea=target)
        Vote.objects.filter(idea=source).delete()
        Comment.objects.filter(idea=source).update(idea=target)
        Signal.objects.filter(idea=source).update(idea=target)
        followed = Subscription.objects.filter(idea=target).values("user_id")
        source_followers = list(
            Subscription.objects.filter(idea=source, active=True).values_list("user_id", flat=True)
        )
        Subscription.objects.filter(idea=source).exclude(user_id__in=followed).update(idea=target)
        Subscription.objects.filter(idea=source).delete()
        # Ideas already merged into the source now point straight at the target.
        Idea.objects.filter(merged_into=source).update(merged_into=target)
        now = timezone.now()
        source.merged_into, source.merged_at = target, now
        source.save(update_fields=["merged_into", "merged_at", "updated_at"])
        idea_recount_counters(Idea.objects.filter(pk__in=[source.pk, target.pk]))
        _record(
            idea=source,
            actor=actor,
            kind=ActivityKind.MERGE,
            is_public=True,
            explanation=f"Merged into “{target.title}”.",
            data={"into": target.pk},
        )
        _record(
            idea=target,
            actor=actor,
            kind=ActivityKind.MERGE,
            explanation=f"“{source.title}” was merged into this idea.",
            data={"from": source.pk},
        )
        notify_followers(
            idea=target,
            kind=NotificationKind.MERGED,
            message=f"“{source.title}” was merged into “{target.title}”; "
            "your vote and follow moved with it.",
            only=source_followers,
            exclude=actor,
            data={"source_title": source.title, "source_id": source.pk},
        )
        target.refresh_from_db()
        webhooks.emit(WebhookEvent.IDEA_MERGED, webhooks.merge_payload(source, target))
        evidence.request_refresh()  # the target's evidence now includes the source's
    security_event("idea_merged", actor=actor.pk, target=f"idea:{target.pk}", source=source.pk)
    return target


def signal_route(*, signal: Signal, idea: Idea, actor: User) -> Signal:
    """Attach an unrouted (or misrouted) signal to an idea; its rep follows the idea."""
    with transaction.atomic():
        signal = Signal.objects.select_for_update().get(pk=signal.pk)
        idea = _lock_live_idea(idea)
        signal.idea = idea
        signal.routed_at = timezone.now()
        signal.routed_by = actor
        signal.save(update_fields=["idea", "routed_at", "routed_by"])
        if signal.captured_by_id:
            subscription_add(user=signal.captured_by, idea=idea, reason=SubscriptionReason.SIGNAL)
        _record(
            idea=idea,
            actor=actor,
            kind=ActivityKind.ROUTE,
            explanation=f"Signal from {signal.account or 'an unknown account'} routed here.",
            data={"signal": signal.pk},
        )
    return signal


def signal_create_idea(
    *, signal: Signal, actor: User, title: str, category: Category | None = None
) -> Idea:
    """Turn an unrouted signal into a new internal idea, and route the signal to it."""
    with transaction.atomic():
        idea = Idea.objects.create(
            title=title,
            body=f"> {signal.verbatim}",
            category=category,
            author=actor,
            account=signal.account,
            source=IdeaSource.SALES
            if signal.captured_by and signal.captured_by.role == "sales"
            else IdeaSource.STAFF,
            visibility=Visibility.INTERNAL,
        )
        subscription_add(user=actor, idea=idea, reason=SubscriptionReason.AUTHOR)
        signal_route(signal=signal, idea=idea, actor=actor)
        webhooks.emit(WebhookEvent.IDEA_CREATED, webhooks.idea_payload(idea))
    return idea


def weights_update(*, actor: User, **values: float) -> ScoringWeights:
    """Change how much each kind of evidence counts; every board score follows at once (on a
    large installation, as soon as the worker has recounted the snapshot: ideas/evidence.py)."""
    with transaction.atomic():
        weights = ScoringWeights.objects.select_for_update().get_or_create(pk=1)[0]
        for name, value in values.items():
            setattr(weights, name, value)
        weights.updated_by = actor
        weights.save()
        evidence.request_refresh()
    return weights


def release_note_publish(*, author: User, title: str, body: str, ideas: list[Idea]) -> ReleaseNote:
    """Publish a changelog entry for shipped ideas, and tell each of their followers once."""
    with transaction.atomic():
        note = ReleaseNote.objects.create(
            title=title,
            slug=slugify(title)[:80] or "release",
            body=body,
            author=author,
            published_at=timezone.now(),
        )
        note.ideas.set(ideas)
        # Everyone following a linked idea they may see; one notification each, not per idea.
        followers: dict[int, User] = {}
        for idea in ideas:
            people = User.objects.filter(subscriptions__idea=idea, subscriptions__active=True)
            for user in permissions.users_who_can_view(idea, people).only("pk", "email_frequency"):
                followers.setdefault(user.pk, user)
        followers.pop(author.pk, None)
        rows = Notification.objects.bulk_create(
            [
                Notification(
                    recipient=user,
                    release_note=note,
                    kind=NotificationKind.CHANGELOG,
                    message=f"Just shipped: {title}"[:500],
                )
                for user in followers.values()
            ]
        )
        immediate = [
            row.pk for row in rows if followers[row.recipient_id].email_frequency == "immediately"
        ]
        if immediate:
            transaction.on_commit(lambda: tasks.enqueue_notification_emails(immediate))
    return note


def notifications_mark_read(*, user: User) -> int:
    """Mark everything in a person's notification list as read."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def user_set_email_frequency(*, user: User, frequency: str) -> None:
    """Immediately, a daily digest, or no emails at all."""
    User.objects.filter(pk=user.pk).update(email_frequency=frequency)
    user.email_frequency = frequency


# Privacy: a person's own data, and erasure that keeps counts and evidence honest.


def user_export(*, user: User) -> dict:
    """Everything Lode holds about `user`, as JSON-ready data (their "download my data").

    Ideas they can no longer see appear by id only, so an export never leaks an internal
    title; signals carry ids and dates, not the customer's words or the deal's value."""
    visible = Idea.objects.visible_to(user)
    titles = dict(
        visible.filter(
            Q(votes__user=user) | Q(comments__author=user) | Q(subscriptions__user=user)
        ).values_list("pk", "title")
    )

    def idea_ref(idea_id: int | None) -> dict | None:
        if idea_id is None:
            return None
        return {"id": idea_id, "title": titles.get(idea_id)}

    comments = Comment.objects.filter(author=user)
    if not user.is_internal:
        comments = comments.filter(is_internal=False)
    return {
        "profile": {
            "id": user.pk,
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "account": user.account.name if user.account_id else None,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "email_frequency": user.email_frequency,
        },
        "ideas": [
            {
                "id": idea.pk,
                "title": idea.title,
                "body": idea.body,
                "status": idea.status,
                "created_at": idea.created_at.isoformat(),
            }
            for idea in visible.filter(author=user).order_by("pk")
        ],
        "votes": [
            {"idea": idea_ref(vote.idea_id), "created_at": vote.created_at.isoformat()}
            for vote in Vote.objects.filter(user=user).order_by("pk")
        ],
        "comments": [
            {
                "id": comment.pk,
                "idea": idea_ref(comment.idea_id),
                "body": comment.body,
                "created_at": comment.created_at.isoformat(),
            }
            for comment in comments.order_by("pk")
        ],
        "follows": [
            {"idea": idea_ref(sub.idea_id), "reason": sub.reason, "active": sub.active}
            for sub in Subscription.objects.filter(user=user).order_by("pk")
        ],
        "notifications": [
            {
                "kind": note.kind,
                "message": note.message,
                "created_at": note.created_at.isoformat(),
                "read_at": note.read_at.isoformat() if note.read_at else None,
            }
            for note in Notification.objects.filter(recipient=user).order_by("pk")
        ],
        "signals_captured": [
            {
                "id": signal.pk,
                "account": signal.account_id,
                "idea": signal.idea_id,
                "heard_on": signal.heard_on.isoformat(),
            }
            for signal in Signal.objects.filter(captured_by=user).order_by("pk")
        ],
    }


def user_delete(*, user: User, actor: User) -> None:
    """Erase a person: the row stays as an anonymous, inactive "Deleted user" so the votes
    and captured signals it holds still count, while everything that identifies them goes.

    Their public comments are deleted (their words are theirs) and the counters rebuilt;
    internal notes, ideas and signals stay as the company's record, now by "Deleted user"."""
    from rest_framework.authtoken.models import Token

    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        touched = list(
            Comment.objects.filter(author=user, is_internal=False)
            .values_list("idea_id", flat=True)
            .distinct()
        )
        Comment.objects.filter(author=user, is_internal=False).delete()
        Subscription.objects.filter(user=user).delete()
        Notification.objects.filter(recipient=user).delete()
        EmailAddress.objects.filter(user=user).delete()
        Token.objects.filter(user=user).delete()
        Account.objects.filter(owner=user).update(owner=None)
        user.email = f"deleted-{user.pk}@invalid"
        user.name = "Deleted user"
        user.account = None
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        # A new password hash also ends every session (Django checks the session auth hash).
        user.set_unusable_password()
        user.save(
            update_fields=[
                "email",
                "name",
                "account",
                "is_active",
                "is_staff",
                "is_superuser",
                "password",
            ]
        )
        user.groups.clear()
        user.user_permissions.clear()
        idea_recount_counters(Idea.objects.filter(pk__in=touched))
    security_event("user_deleted", actor=actor.pk, target=f"user:{user.pk}")
