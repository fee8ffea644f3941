"""`manage.py seed_demo`: a year of believable activity, so every screen has something to show.

Idempotent: if the demo PM already exists, nothing is written. Deterministic: one seeded
random generator drives every choice; dates are relative to now. The log-ins are printed
every time, so `make run` always shows how to sign in.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Model, OuterRef, Subquery
from django.utils import timezone
from django.utils.text import slugify

from ideas import demo_data as data
from ideas import services
from ideas.choices import (
    DECISION_STATUSES,
    ActivityKind,
    DealStage,
    IdeaSource,
    Importance,
    Lifecycle,
    Plan,
    Segment,
    SignalKind,
    Source,
    Status,
    SubscriptionReason,
    Visibility,
)
from ideas.models import (
    Account,
    Category,
    Comment,
    Idea,
    Signal,
    StatusChange,
    Subscription,
    Tag,
    Vote,
)
from portal.allauth import emails_mark_verified
from portal.models import Role, User

SEED = 2026
MARKER_EMAIL = "pm@lode.example"  # its presence means the demo data is already loaded

# The status mix of a portal that has been triaged for a year (shares of all ideas).
STATUS_SHARE = {
    Status.NEW: 0.28,
    Status.UNDER_REVIEW: 0.25,
    Status.PLANNED: 0.11,
    Status.IN_PROGRESS: 0.08,
    Status.SHIPPED: 0.17,
    Status.DECLINED: 0.11,
}
# How old an idea in each status tends to be, in days: decisions take time.
AGE_DAYS = {
    Status.NEW: (1, 200),
    Status.UNDER_REVIEW: (20, 330),
    Status.PLANNED: (60, 360),
    Status.IN_PROGRESS: (90, 360),
    Status.SHIPPED: (150, 364),
    Status.DECLINED: (40, 364),
}
PATHS = {
    Status.NEW: [],
    Status.UNDER_REVIEW: [Status.UNDER_REVIEW],
    Status.PLANNED: [Status.UNDER_REVIEW, Status.PLANNED],
    Status.IN_PROGRESS: [Status.UNDER_REVIEW, Status.PLANNED, Status.IN_PROGRESS],
    Status.SHIPPED: [Status.UNDER_REVIEW, Status.PLANNED, Status.IN_PROGRESS, Status.SHIPPED],
    Status.DECLINED: [Status.UNDER_REVIEW, Status.DECLINED],
}
SOURCE_WEIGHTS = {
    Source.MEETING: 30,
    Source.CALL: 25,
    Source.EMAIL: 15,
    Source.EVENT: 7,
    Source.MEAL: 5,
    Source.SUPPORT: 6,
    Source.INTERVIEW: 3,
    Source.OTHER: 3,
}
ZIPF_EXPONENT = 0.65  # votes of the idea ranked r ~ r^-s: a few ideas collect most votes
TRENDS = (data.RISING, data.COOLING)


@dataclass
class IdeaPlan:
    """An idea and everything decided about it before any row is written."""

    seed: data.IdeaSeed
    idea: Idea
    created: dt.datetime
    history: list[tuple[str, str, dt.datetime]] = field(default_factory=list)
    votes: list[tuple[User, dt.datetime]] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    into: IdeaPlan | None = None
    merged_at: dt.datetime | None = None

    @property
    def closed_at(self) -> dt.datetime | None:
        """When voting stopped: at a merge, a ship or a decline."""
        if self.merged_at:
            return self.merged_at
        for _, to_status, at in self.history:
            if to_status in (Status.SHIPPED, Status.DECLINED):
                return at
        return None

    @property
    def shipped_at(self) -> dt.datetime | None:
        """When it shipped, if it did."""
        return next((at for _, to, at in self.history if to == Status.SHIPPED), None)


def email_for(name: str, domain: str) -> str:
    """maya.patel@acme.example from "Maya Patel" (accents and apostrophes dropped)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    local = ".".join(ascii_name.lower().replace("'", "").split())
    return f"{local}@{domain}"


def thousands(amount: Decimal) -> Decimal:
    """Round money to whole thousands, as reps quote deal sizes."""
    return Decimal(round(amount / 1000) * 1000)


def fill(template: str, **values: str) -> str:
    """Format a text template; {Ask} is {ask} with a capital first letter."""
    ask = values.get("ask", "")
    return template.format(Ask=ask[:1].upper() + ask[1:], **values)


class Seeder:
    """Writes the demo data; `run` returns what it created, for the progress lines."""

    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.now = timezone.now()
        self.counts: dict[str, int] = {}
        self.decline_reasons: dict[int, str] = {}

    # Time helpers ------------------------------------------------------------------------

    def ago(self, days: float) -> dt.datetime:
        """The moment `days` days before the seed started."""
        return self.now - dt.timedelta(days=days)

    def between(self, start: dt.datetime, end: dt.datetime, skew: float = 1.0) -> dt.datetime:
        """A moment in [start, end]; skew > 1 leans early, < 1 leans late."""
        if end <= start:
            return start
        return start + (end - start) * (self.rng.random() ** skew)

    def working_hours(self, day: dt.date) -> dt.datetime:
        """A moment on `day` during office hours, in the site's time zone."""
        moment = dt.datetime.combine(day, dt.time(8)) + dt.timedelta(
            minutes=self.rng.randrange(10 * 60)
        )
        return min(timezone.make_aware(moment), self.now)

    # Steps -------------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        """Seed everything, in dependency order; return the counts of what was created."""
        self.people()
        self.accounts()
        self.customers()
        self.taxonomy()
        self.ideas()
        self.votes()
        self.signals()
        self.comments()
        self.timeline()
        self.subscriptions()
        # One UPDATE with correlated COUNT subqueries: the counters (and the trending score,
        # which depends on the back-dated votes) come from the rows themselves.
        services.idea_recount_counters(Idea.objects.filter(pk__in=[p.idea.pk for p in self.plans]))
        return self.counts

    def people(self) -> None:
        """The demo log-ins and colleagues, through the manager like any real sign-up."""
        self.by_email: dict[str, User] = {}
        for person in [*data.LOGINS, *data.COLLEAGUES]:
            if person.role == Role.CUSTOMER:
                continue  # needs the Acme account; created in customers()
            joined = self.ago(self.rng.uniform(700, 1000))
            extra = {"name": person.name, "date_joined": joined}
            if person.role == Role.ADMIN:
                user = User.objects.create_superuser(person.email, None, **extra)
            else:
                user = User.objects.create_user(
                    person.email, None, role=person.role, is_staff=person.is_staff, **extra
                )
            self.by_email[person.email] = user
        self.pm = self.by_email["pm@lode.example"]
        self.reps = [u for u in self.by_email.values() if u.role == Role.SALES]
        self.staff = [u for u in self.by_email.values() if u.role == Role.STAFF]

    def accounts(self) -> None:
        """Accounts across every segment, region, plan and lifecycle."""
        self.account_seeds: dict[int, data.AccountSeed] = {}
        accounts = [
            Account(
                name=seed.name,
                domain=seed.domain,
                segment=seed.segment,
                region=seed.region,
                plan=seed.plan,
                arr=seed.arr,
                lifecycle=seed.lifecycle,
                owner=self.by_email[seed.owner],
                external_id=seed.external_id,
            )
            for seed in data.ACCOUNTS
        ]
        Account.objects.bulk_create(accounts)
        for account, seed in zip(accounts, data.ACCOUNTS, strict=True):
            self.account_seeds[account.pk] = seed
            days = (
                self.rng.uniform(90, 200)
                if seed.lifecycle == Lifecycle.PROSPECT
                else self.rng.uniform(420, 1400)
            )
            account.created_at = self.ago(days)
        Account.objects.bulk_update(accounts, ["created_at"])
        self.account_list = accounts
        self.account_by_id = {a.pk: a for a in accounts}
        # Reps keep talking to the same people: two outside contacts per account (plus its
        # portal users, added in customers()), everyone else met at events.
        names = data.CONTACT_NAMES
        self.contacts_of: dict[int | None, list[str]] = {
            a.pk: names[2 * i : 2 * i + 2] for i, a in enumerate(accounts)
        }
        self.contacts_of[None] = names[2 * len(accounts) :]
        self.contact_roles: dict[str, str] = {}
        self.acme = next(a for a in accounts if a.domain == "acme.example")
        self.counts["accounts"] = len(accounts)

    def customers(self) -> None:
        """The demo customer and ~40 colleagues at the accounts, who vote and comment."""
        login = next(p for p in data.LOGINS if p.role == Role.CUSTOMER)
        casey = User.objects.create_user(
            login.email,
            None,
            name=login.name,
            role=Role.CUSTOMER,
            account=self.acme,
            date_joined=self.ago(400),
        )
        self.by_email[casey.email] = casey
        self.casey = casey
        # PBKDF2 is deliberately slow (~0.5 s a hash): hash the shared password once.
        password = make_password(data.PASSWORD)
        User.objects.filter(pk__in=[u.pk for u in self.by_email.values()]).update(
            password=password
        )
        extra = [
            User(
                email=email_for(name, account.domain),
                name=name,
                role=Role.CUSTOMER,
                account=account,
                password=password,
                date_joined=self.ago(self.rng.uniform(370, 600)),
            )
            for account, seed in zip(self.account_list, data.ACCOUNTS, strict=True)
            for name in seed.people
        ]
        User.objects.bulk_create(extra)
        # Log-in needs a verified address (mandatory verification); demo people have one.
        emails_mark_verified(users=[*self.by_email.values(), *extra])
        self.customers_list = [casey, *extra]
        self.customers_of: dict[int, list[User]] = defaultdict(list)
        for user in self.customers_list:
            self.customers_of[user.account_id].append(user)
            self.contacts_of[user.account_id].append(user.name)
        self.counts["users"] = len(self.by_email) + len(extra)
        self.counts["customers"] = len(self.customers_list)

    def taxonomy(self) -> None:
        """Categories and tags."""
        self.categories = {
            slug: Category(slug=slug, name=name, description=description, position=position)
            for position, (slug, name, description) in enumerate(data.CATEGORIES)
        }
        Category.objects.bulk_create(self.categories.values())
        self.tags = {slug: Tag(slug=slug, name=name) for slug, name in data.TAGS.items()}
        Tag.objects.bulk_create(self.tags.values())
        self.counts["categories"] = len(self.categories)
        self.counts["tags"] = len(self.tags)

    # Ideas -------------------------------------------------------------------------------

    def draw_statuses(self) -> list[Status]:
        """Fixed statuses where the text needs one; the rest drawn to hit STATUS_SHARE."""
        total = len(data.IDEAS)
        fixed = Counter(seed.status for seed in data.IDEAS if seed.status)
        pool: list[Status] = []
        for status, share in STATUS_SHARE.items():
            pool += [status] * max(0, round(share * total) - fixed[status])
        free = sum(1 for seed in data.IDEAS if not seed.status)
        pool = (pool + [Status.NEW] * free)[:free]  # rounding may leave a slot or two
        self.rng.shuffle(pool)
        return [seed.status or pool.pop() for seed in data.IDEAS]

    def author_for(self, seed: data.IdeaSeed) -> tuple[User, str]:
        """Who posted the idea, and through which channel."""
        if seed.internal == "sales":
            return self.rng.choice(self.reps), IdeaSource.SALES
        if seed.internal == "staff":
            return self.rng.choice(self.staff), IdeaSource.STAFF
        roll = self.rng.random()
        if roll < 0.05:
            return self.rng.choice([*self.staff, self.pm]), IdeaSource.STAFF
        if roll < 0.09:
            return self.rng.choice(self.reps), IdeaSource.SALES
        people = self.customers_list
        fans = [a for a in self.account_list if self.wants(seed, a)]
        if fans and self.rng.random() < 0.7:
            people = self.customers_of[self.rng.choice(fans).pk]
        return self.rng.choice(people), IdeaSource.CUSTOMER

    @staticmethod
    def wants(seed: data.IdeaSeed, account: Account) -> bool:
        """Whether this account is one of the idea's natural fans (segment or region)."""
        return account.segment in seed.segments or account.region in seed.regions

    def ideas(self) -> None:
        """~150 ideas with their status history planned first, then written in bulk."""
        statuses = self.draw_statuses()
        by_title: dict[str, IdeaPlan] = {}
        self.plans: list[IdeaPlan] = []
        for seed, status in zip(data.IDEAS, statuses, strict=True):
            author, source = self.author_for(seed)
            idea = Idea(
                title=seed.title,
                slug=slugify(seed.title)[:80].strip("-"),  # bulk_create skips save()
                body=seed.body,
                category=self.categories[seed.category],
                author=author,
                account=author.account,
                source=source,
                status=status,
                visibility=Visibility.INTERNAL if seed.internal else Visibility.PUBLIC,
            )
            plan = IdeaPlan(seed=seed, idea=idea, created=self.idea_created(seed, status))
            by_title[seed.title] = plan
            self.plans.append(plan)
        for plan in self.plans:
            if plan.seed.duplicate_of:
                self.plan_merge(plan, by_title[plan.seed.duplicate_of])
        # The demo customer should find ideas of their own when they sign in.
        mine = [p for p in self.plans if p.idea.source == IdeaSource.CUSTOMER and not p.into]
        for plan in self.rng.sample(mine, 3):
            plan.idea.author, plan.idea.account = self.casey, self.acme
        for plan in self.plans:
            self.plan_history(plan)

        self.plans.sort(key=lambda p: p.created)  # ids follow the order ideas were posted
        Idea.objects.bulk_create([p.idea for p in self.plans])
        for plan in self.plans:
            idea = plan.idea
            idea.created_at = plan.created
            idea.merged_into = plan.into.idea if plan.into else None
            idea.merged_at = plan.merged_at
            idea.updated_at = max(
                t for t in (plan.created, idea.status_changed_at, plan.merged_at) if t
            )
        Idea.objects.bulk_update(
            [p.idea for p in self.plans],
            ["created_at", "updated_at", "merged_into", "merged_at"],
            batch_size=500,
        )
        Idea.tags.through.objects.bulk_create(
            Idea.tags.through(idea_id=p.idea.pk, tag_id=self.tags[slug].pk)
            for p in self.plans
            for slug in p.seed.tags
        )
        self.counts["ideas"] = len(self.plans)
        self.counts["internal ideas"] = sum(1 for p in self.plans if p.seed.internal)

    def idea_created(self, seed: data.IdeaSeed, status: Status) -> dt.datetime:
        """When the idea was posted: old enough for its status to be believable."""
        if seed.trend == data.RISING:
            return self.ago(self.rng.uniform(130, 200))
        if seed.trend == data.COOLING:
            return self.ago(self.rng.uniform(330, 362))
        low, high = AGE_DAYS[status]
        # New ideas lean recent: the PM triages older ones first.
        skew = 1.8 if status == Status.NEW else 1.0
        return self.ago(low + (high - low) * self.rng.random() ** skew)

    def plan_merge(self, plan: IdeaPlan, target: IdeaPlan) -> None:
        """A duplicate is posted after its target, then merged into it within a few weeks."""
        latest = min(target.created + dt.timedelta(days=150), self.ago(30))
        plan.created = self.between(min(target.created + dt.timedelta(days=10), latest), latest)
        merged_by = min(plan.created + dt.timedelta(days=25), self.ago(1))
        plan.merged_at = self.between(plan.created + dt.timedelta(days=3), merged_by)
        plan.into = target

    def plan_history(self, plan: IdeaPlan) -> None:
        """new → … → the idea's status, at increasing moments after it was posted."""
        idea = plan.idea
        steps = list(PATHS[idea.status])
        if idea.status == Status.PLANNED and self.rng.random() < 0.2:
            steps.remove(Status.UNDER_REVIEW)  # an obvious yes goes straight to planned
        if idea.status == Status.DECLINED and self.rng.random() < 0.3:
            steps.remove(Status.UNDER_REVIEW)
        if not steps:
            return
        end = self.ago(1)
        if plan.merged_at:
            end = plan.merged_at - dt.timedelta(hours=2)
        elif plan.seed.trend == data.COOLING:
            end = self.ago(self.rng.uniform(120, 170))  # shipped months ago, interest faded
        elif idea.status == Status.SHIPPED:
            end = self.ago(10)
        start = plan.created + dt.timedelta(hours=self.rng.uniform(4, 72))
        start = min(start, plan.created + (end - plan.created) / 2)  # short-lived duplicates
        moments = sorted(self.between(start, end) for _ in steps)
        previous = Status.NEW
        for status, moment in zip(steps, moments, strict=True):
            plan.history.append((previous, status, moment))
            previous = status
        decided_at = moments[-1]
        idea.status_changed_at = decided_at
        idea.owner = self.pm
        if self.rng.random() < 0.65:
            idea.effort = self.rng.choice([1, 2, 3, 4, 6, 8, 12])
            idea.strategic_fit = self.rng.randint(0, 5)
        if idea.status == Status.DECLINED:
            idea.public_response = self.decline_reason(plan)
        elif idea.status in data.PUBLIC_RESPONSES:
            idea.public_response = self.rng.choice(data.PUBLIC_RESPONSES[idea.status])
        if idea.public_response:
            idea.public_response_at = decided_at
            idea.public_response_by = self.pm

    def decline_reason(self, plan: IdeaPlan) -> str:
        """The real reason a declined idea was declined, the same wherever it is shown."""
        if id(plan) not in self.decline_reasons:
            reason = plan.seed.decline_reason or self.rng.choice(data.DECLINE_REASONS)
            self.decline_reasons[id(plan)] = reason
        return self.decline_reasons[id(plan)]

    # Votes -------------------------------------------------------------------------------

    def votes(self) -> None:
        """A Zipf-like spread: rank the public ideas by appeal, votes fall off as r^-s."""
        boost = {
            Status.NEW: 0.7,
            Status.UNDER_REVIEW: 1.4,
            Status.PLANNED: 2.0,
            Status.IN_PROGRESS: 2.0,
            Status.SHIPPED: 2.2,
            Status.DECLINED: 1.0,
        }

        def appeal(plan: IdeaPlan) -> float:
            age = (self.now - plan.created).days
            score = self.rng.random() * boost[plan.idea.status] * (min(1.0, age / 60) + 0.2)
            if plan.seed.trend == data.RISING:
                score *= 3
            return score * (0.3 if plan.into else 1.0)

        public = [p for p in self.plans if not p.seed.internal]
        ranked = sorted(public, key=appeal, reverse=True)
        most = len(self.customers_list)
        rows = []
        for rank, plan in enumerate(ranked, start=1):
            wanted = round(most * 0.95 * rank**-ZIPF_EXPONENT * self.rng.uniform(0.75, 1.1))
            voters = self.rng.sample(self.customers_list, min(most, wanted))
            end = plan.closed_at or self.now
            # Most ideas get their votes soon after posting; rising ones keep gaining.
            skew = 0.5 if plan.seed.trend == data.RISING else 1.8
            for user in voters:
                moment = self.between(plan.created + dt.timedelta(minutes=5), end, skew)
                plan.votes.append((user, moment))
                rows.append(Vote(idea=plan.idea, user=user))
        self.save_dated(Vote, rows, [m for p in ranked for _, m in p.votes])
        self.counts["votes"] = len(rows)

    def save_dated(self, model: type[Model], rows: list[Any], moments: list[dt.datetime]) -> None:
        """bulk_create, then restore the intended created_at that auto_now_add overwrote."""
        model.objects.bulk_create(rows, batch_size=1000)
        for row, moment in zip(rows, moments, strict=True):
            row.created_at = moment
        model.objects.bulk_update(rows, ["created_at"], batch_size=500)

    # Signals -----------------------------------------------------------------------------

    def signals(self) -> None:
        """~200 signals; momentum is uneven on purpose so trend views have a story to tell."""
        self.signal_rows: list[Signal] = []
        open_plans = [p for p in self.plans if not p.into]
        trend = {kind: [p for p in open_plans if p.seed.trend == kind] for kind in TRENDS}

        for plan in trend[data.RISING]:
            for _ in range(8):
                self.route(plan, self.ago(75 * self.rng.random() ** 1.3))
            self.route(plan, self.between(plan.created, self.ago(95)))
        for plan in trend[data.COOLING]:
            for _ in range(7):
                self.route(plan, self.between(max(plan.created, self.ago(360)), self.ago(200)))
            self.route(plan, self.between(self.ago(180), self.ago(95)))
            self.route(plan, self.ago(self.rng.uniform(5, 85)))

        # Security & compliance is heating up in financial services this quarter.
        financial = [a for a in self.account_list if a.segment == Segment.FINANCIAL]
        security = [
            p
            for p in open_plans
            if p.seed.category == "security"
            and not p.seed.trend
            and (not p.seed.segments or Segment.FINANCIAL in p.seed.segments)
        ]
        for _ in range(12):
            plan = self.rng.choice(security)
            self.route(plan, self.ago(85 * self.rng.random()), self.rng.choice(financial))

        background = [p for p in open_plans if not p.seed.trend]
        weights = [
            1 + len(p.votes) * 0.25 + (3 if p.seed.internal == "sales" else 0) for p in background
        ]
        for _ in range(85):
            plan = self.rng.choices(background, weights)[0]
            # Reps hear things before anyone posts them; the PM routes them once it exists.
            start = max(plan.created - dt.timedelta(days=120), self.ago(365))
            self.route(plan, self.between(start, self.now, skew=1.2))

        for index, (title, ask) in enumerate(data.PROPOSED_IDEAS + data.PROPOSED_IDEAS[:5]):
            heard = self.ago(200 * self.rng.random() ** 1.2)  # the PM's backlog is recent-ish
            proposed = title if index < len(data.PROPOSED_IDEAS) else ""
            self.unrouted_request(ask, heard, proposed)
        for kind, verbatim, summary, competitor in data.UNROUTED_SIGNALS:
            self.unrouted(kind, verbatim, summary, competitor, self.ago(self.rng.uniform(1, 360)))

        self.cover_every_source()
        rows = self.signal_rows
        self.save_dated(Signal, rows, [s.created_at for s in rows])
        self.counts["signals"] = len(rows)
        self.counts["unrouted signals"] = sum(1 for s in rows if s.idea is None)

    def pick_account(self, plan: IdeaPlan | None) -> Account | None:
        """Big accounts talk to sales more; an idea's natural fans even more so."""
        if self.rng.random() < 0.04:
            return None  # heard at a conference from someone without an account yet
        candidates = self.account_list
        if plan is not None:
            fans = [a for a in candidates if self.wants(plan.seed, a)]
            if fans and self.rng.random() < 0.8:
                candidates = fans

        def size(account: Account) -> float:
            seed = self.account_seeds[account.pk]
            return math.sqrt(float(max(seed.arr, seed.former_arr, seed.pipeline, 10000)))

        return self.rng.choices(candidates, [size(a) for a in candidates])[0]

    def snapshot(self, account: Account | None, heard: dt.date) -> dict[str, Any]:
        """The account as it stood on `heard`: a churned account was a customer before."""
        if account is None:
            return {}
        seed = self.account_seeds[account.pk]
        values = {
            "account_arr": account.arr,
            "account_plan": account.plan,
            "account_segment": account.segment,
            "account_region": account.region,
            "account_lifecycle": account.lifecycle,
        }
        if seed.churned_days_ago and heard < self.ago(seed.churned_days_ago).date():
            values.update(account_arr=seed.former_arr, account_lifecycle=Lifecycle.CUSTOMER)
        return values

    def route(self, plan: IdeaPlan, heard_at: dt.datetime, account: Account | None = None) -> None:
        """A signal about `plan`'s idea, routed to it by the PM."""
        account = account or self.pick_account(plan)
        heard = timezone.localdate(heard_at)
        snapshot = self.snapshot(account, heard)
        kind = self.signal_kind(plan, snapshot.get("account_lifecycle", ""), heard_at)
        importance = self.importance(kind, account)
        competitor = (
            self.rng.choice(plan.seed.competitors or data.COMPETITORS[plan.seed.category])
            if kind in (SignalKind.COMPETITOR, SignalKind.LOSS_REASON)
            else ""
        )
        verbatim, summary = self.words(kind, importance, snapshot, plan.seed.ask, competitor)
        signal = self.signal(
            account,
            heard,
            snapshot,
            kind=kind,
            importance=importance,
            competitor=competitor,
            verbatim=verbatim,
            summary=summary,
        )
        signal.idea = plan.idea
        signal.routed_by = self.pm
        signal.routed_at = min(
            max(signal.created_at, plan.created) + dt.timedelta(hours=self.rng.uniform(1, 96)),
            self.now,
        )
        plan.signals.append(signal)

    def words(
        self, kind: str, importance: str, snapshot: dict[str, Any], ask: str, competitor: str
    ) -> tuple[str, str]:
        """What the customer said and the rep's summary; prospects don't talk of renewals."""
        lifecycle = snapshot.get("account_lifecycle", "")
        audience = "prospect" if lifecycle in (Lifecycle.PROSPECT, "") else "customer"
        templates = {
            SignalKind.COMPETITOR: data.COMPETITOR_VERBATIMS,
            SignalKind.LOSS_REASON: data.LOSS_VERBATIMS[audience],
            SignalKind.PRICING: data.PRICING_VERBATIMS,
            SignalKind.PRAISE: data.PRAISE_VERBATIMS,
        }.get(kind) or data.FEATURE_VERBATIMS[importance, audience]
        summaries = data.SUMMARIES.get(kind) or data.SUMMARIES[importance, audience]
        verbatim = fill(self.rng.choice(templates), ask=ask, competitor=competitor)
        summary = fill(self.rng.choice(summaries), ask=ask, competitor=competitor)
        return verbatim, summary

    def signal_kind(self, plan: IdeaPlan, lifecycle: str, heard_at: dt.datetime) -> SignalKind:
        """Mostly requests; praise once shipped, competitors and losses around deals."""
        roll = self.rng.random()
        shipped = plan.shipped_at
        if shipped and heard_at > shipped:
            return SignalKind.PRAISE if roll < 0.7 else SignalKind.FEATURE_REQUEST
        if lifecycle in (Lifecycle.PROSPECT, ""):  # "": no account yet, met at an event
            if roll < 0.2:
                return SignalKind.COMPETITOR
            lost = roll < 0.3 and lifecycle == Lifecycle.PROSPECT
            return SignalKind.LOSS_REASON if lost else SignalKind.FEATURE_REQUEST
        if lifecycle == Lifecycle.CHURNED:
            return SignalKind.LOSS_REASON if roll < 0.7 else SignalKind.FEATURE_REQUEST
        if roll < 0.08:
            return SignalKind.COMPETITOR
        priced = plan.seed.category == "billing" or "sso" in plan.seed.tags
        if priced and roll < 0.3:
            return SignalKind.PRICING
        return SignalKind.FEATURE_REQUEST

    def importance(self, kind: SignalKind, account: Account | None) -> Importance:
        """Some deal-breakers, more of them from enterprise accounts."""
        if kind == SignalKind.LOSS_REASON:
            return Importance.DEAL_BREAKER
        if kind == SignalKind.PRAISE:
            return self.rng.choice([Importance.NICE_TO_HAVE, Importance.IMPORTANT])
        big = account is not None and account.plan == Plan.ENTERPRISE
        weights = [0.2, 0.5, 0.3] if big else [0.08, 0.55, 0.37]
        return self.rng.choices(
            [Importance.DEAL_BREAKER, Importance.IMPORTANT, Importance.NICE_TO_HAVE], weights
        )[0]

    def signal(
        self,
        account: Account | None,
        heard: dt.date,
        snapshot: dict[str, Any],
        *,
        kind: str,
        importance: str,
        verbatim: str,
        summary: str,
        competitor: str = "",
    ) -> Signal:
        """One signal with the who, where and money around it; not yet saved."""
        lifecycle = snapshot.get("account_lifecycle", "")
        stage, value = self.deal(account, lifecycle, kind, importance, snapshot)
        if self.rng.random() < 0.15:
            captured_by = self.rng.choice(self.staff)
            source = self.rng.choice([Source.SUPPORT, Source.CALL, Source.EMAIL])
        else:
            owner = account.owner if account else None
            captured_by = (
                owner if owner and self.rng.random() < 0.75 else self.rng.choice(self.reps)
            )
            source = self.rng.choices(list(SOURCE_WEIGHTS), list(SOURCE_WEIGHTS.values()))[0]
        if kind == SignalKind.LOSS_REASON and self.rng.random() < 0.7:
            source = Source.INTERVIEW
        if account is None:
            source = Source.EVENT
        contact = self.rng.choice(self.contacts_of[account.pk if account else None])
        created = self.working_hours(heard)
        if self.rng.random() < 0.25:  # written up the next morning
            created = min(created + dt.timedelta(hours=self.rng.uniform(14, 20)), self.now)
        signal = Signal(
            captured_by=captured_by,
            account=account,
            contact_name=contact,
            contact_role=self.contact_roles.setdefault(
                contact, self.rng.choice(data.CONTACT_ROLES)
            ),
            verbatim=verbatim,
            summary=summary[:200],
            kind=kind,
            competitor=competitor,
            source=source,
            heard_on=heard,
            importance=importance,
            opportunity_value=value,
            deal_stage=stage,
            **snapshot,
        )
        signal.created_at = created
        self.signal_rows.append(signal)
        return signal

    def deal(
        self,
        account: Account | None,
        lifecycle: str,
        kind: str,
        importance: str,
        snapshot: dict[str, Any],
    ) -> tuple[str, Decimal | None]:
        """The deal around a signal, and the money on the table (on about half of them)."""
        rng = self.rng
        if account is None:
            return DealStage.PROSPECT, None
        seed = self.account_seeds[account.pk]
        arr = Decimal(snapshot["account_arr"])
        if lifecycle == Lifecycle.PROSPECT:
            stage = DealStage.LOST if kind == SignalKind.LOSS_REASON else None
            stage = stage or rng.choice([DealStage.PROSPECT, DealStage.OPEN])
            value = thousands(seed.pipeline * Decimal(rng.uniform(0.7, 1.2)))
            return stage, value if rng.random() < 0.85 else None
        if lifecycle == Lifecycle.CHURNED:
            return DealStage.LOST, seed.former_arr if rng.random() < 0.7 else None
        if seed.churned_days_ago:  # heard while the customer was already wavering
            return DealStage.RENEWAL_AT_RISK, arr if rng.random() < 0.9 else None
        if kind == SignalKind.PRAISE:
            return rng.choice(["", DealStage.WON]), None
        if importance == Importance.DEAL_BREAKER:
            stage = rng.choices([DealStage.RENEWAL_AT_RISK, DealStage.OPEN], [0.6, 0.4])[0]
        else:
            stage = rng.choices(
                ["", DealStage.OPEN, DealStage.WON, DealStage.RENEWAL_AT_RISK],
                [0.45, 0.3, 0.1, 0.15],
            )[0]
        if stage == DealStage.RENEWAL_AT_RISK and rng.random() < 0.9:
            return stage, arr
        if stage == DealStage.OPEN and rng.random() < 0.8:
            return stage, thousands(arr * Decimal(rng.uniform(0.1, 0.35)))
        if stage == DealStage.WON and rng.random() < 0.5:
            return stage, thousands(arr * Decimal("0.1"))
        return stage, None

    def unrouted_request(self, ask: str, heard_at: dt.datetime, proposed_title: str) -> None:
        """A request no idea covers yet, waiting in the PM's triage queue."""
        account = self.pick_account(None)
        heard = timezone.localdate(heard_at)
        snapshot = self.snapshot(account, heard)
        kind = SignalKind.FEATURE_REQUEST
        importance = self.importance(kind, account)
        verbatim, summary = self.words(kind, importance, snapshot, ask, "")
        signal = self.signal(
            account,
            heard,
            snapshot,
            kind=kind,
            importance=importance,
            verbatim=verbatim,
            summary=summary,
        )
        signal.proposed_title = proposed_title

    def unrouted(
        self, kind: str, verbatim: str, summary: str, competitor: str, heard_at: dt.datetime
    ) -> None:
        """Pricing talk, praise, competitors: heard in the field, about no idea in particular."""
        account = self.pick_account(None)
        if kind == SignalKind.LOSS_REASON:
            account = self.rng.choice(
                [a for a in self.account_list if a.lifecycle == Lifecycle.PROSPECT]
            )
        heard = timezone.localdate(heard_at)
        importance = self.importance(kind, account) if kind != "other" else Importance.IMPORTANT
        self.signal(
            account,
            heard,
            self.snapshot(account, heard),
            kind=kind,
            importance=importance,
            verbatim=verbatim,
            summary=summary,
            competitor=competitor,
        )

    def cover_every_source(self) -> None:
        """Rare sources (a meal, an interview) should still show up once in the filters."""
        present = {s.source for s in self.signal_rows}
        meetings = [s for s in self.signal_rows if s.source == Source.MEETING]
        for source in Source:
            if source not in present and meetings:
                meetings.pop().source = source

    # Comments ----------------------------------------------------------------------------

    def comments(self) -> None:
        """Public comments (mostly by voters, some PM replies) and private notes."""
        rows: list[Comment] = []
        moments: list[dt.datetime] = []
        self.comments_by_plan: dict[int, list[Comment]] = defaultdict(list)

        def add(plan: IdeaPlan, author: User, body: str, at: dt.datetime, internal: bool) -> None:
            comment = Comment(idea=plan.idea, author=author, body=body, is_internal=internal)
            rows.append(comment)
            moments.append(min(at, self.now))
            self.comments_by_plan[id(plan)].append(comment)

        for plan in self.plans:
            start = plan.created + dt.timedelta(minutes=30)
            closed = plan.merged_at or self.now
            if plan.seed.internal:
                colleagues = [*self.reps, *self.staff]
                for text in self.rng.sample(data.INTERNAL_IDEA_COMMENTS, self.rng.randint(0, 3)):
                    add(
                        plan, self.rng.choice(colleagues), text, self.between(start, closed), False
                    )
            else:
                voters = [user for user, _ in plan.votes]
                count = min(12, int(len(voters) * 0.4 + self.rng.random() * 2.5))
                for text in self.rng.sample(data.PUBLIC_COMMENTS, count):
                    pool = voters if voters and self.rng.random() < 0.7 else self.customers_list
                    add(plan, self.rng.choice(pool), text, self.between(start, closed, 1.5), False)
                if len(voters) >= 3 and self.rng.random() < 0.35:
                    reply = self.rng.choice(data.PM_REPLIES)
                    add(plan, self.pm, reply, self.between(start, closed), False)
                shipped = plan.shipped_at
                if shipped and voters and self.rng.random() < 0.6:
                    thanks = self.rng.choice(data.THANKS_COMMENTS)
                    soon = shipped + dt.timedelta(days=1)
                    at = self.between(soon, min(soon + dt.timedelta(days=40), self.now))
                    add(plan, self.rng.choice(voters), thanks, at, False)
            if plan.history and self.rng.random() < 0.45:
                note = self.rng.choice(data.INTERNAL_NOTES)
                author = self.pm if self.rng.random() < 0.6 else self.rng.choice(self.staff)
                add(plan, author, note, self.between(start, plan.history[-1][2]), True)

        self.save_dated(Comment, rows, moments)
        self.counts["public comments"] = sum(1 for c in rows if not c.is_internal)
        self.counts["private notes"] = sum(1 for c in rows if c.is_internal)

    # Timeline ----------------------------------------------------------------------------

    def evidence(self, plan: IdeaPlan, at: dt.datetime) -> dict[str, Any]:
        """The evidence as it stood at a decision: the decision record."""
        votes = [user for user, moment in plan.votes if moment <= at]
        signals = [s for s in plan.signals if s.created_at <= at]
        arr_by_account: dict[int, Decimal] = {}
        for user in votes:
            if user.account_id:
                arr_by_account[user.account_id] = self.account_by_id[user.account_id].arr
        for signal in signals:
            if signal.account_id:
                arr_by_account[signal.account_id] = signal.account_arr or Decimal(0)
        return {
            "votes": len(votes),
            "signals": len(signals),
            "deal_breakers": sum(1 for s in signals if s.importance == Importance.DEAL_BREAKER),
            "accounts": len(arr_by_account),
            "arr": f"{sum(arr_by_account.values(), Decimal(0)):.2f}",
        }

    def timeline(self) -> None:
        """StatusChange rows for every planned transition and merge, with decision records."""
        rows: list[StatusChange] = []
        moments: list[dt.datetime] = []
        for plan in self.plans:
            for from_status, to_status, at in plan.history:
                if to_status == Status.DECLINED:
                    explanation = self.decline_reason(plan)
                else:
                    explanation = self.rng.choice(data.EXPLANATIONS[to_status])
                rows.append(
                    StatusChange(
                        idea=plan.idea,
                        actor=self.pm,
                        kind=ActivityKind.STATUS,
                        from_status=from_status,
                        to_status=to_status,
                        explanation=explanation,
                        evidence=self.evidence(plan, at)
                        if to_status in DECISION_STATUSES
                        else None,
                    )
                )
                moments.append(at)
            if plan.into and plan.merged_at:
                rows.append(
                    StatusChange(
                        idea=plan.idea,
                        actor=self.pm,
                        kind=ActivityKind.MERGE,
                        explanation=f"Merged into “{plan.into.idea.title}”: please vote and "
                        "comment there.",
                        data={"into": plan.into.idea.pk},
                    )
                )
                moments.append(plan.merged_at)
        self.save_dated(StatusChange, rows, moments)
        self.counts["status changes"] = len(rows)

    # Subscriptions -----------------------------------------------------------------------

    def subscriptions(self) -> None:
        """Authors, voters, commenters and reps hear about an idea; the first reason wins."""
        reasons: dict[tuple[int, int], str] = {}
        for plan in self.plans:
            idea_id = plan.idea.pk
            if plan.idea.author_id:
                reasons.setdefault((plan.idea.author_id, idea_id), SubscriptionReason.AUTHOR)
            for user, _ in plan.votes:
                reasons.setdefault((user.pk, idea_id), SubscriptionReason.VOTER)
            for comment in self.comments_by_plan[id(plan)]:
                reasons.setdefault((comment.author_id, idea_id), SubscriptionReason.COMMENTER)
            for signal in plan.signals:
                if signal.captured_by_id:
                    reasons.setdefault((signal.captured_by_id, idea_id), SubscriptionReason.SIGNAL)
        Subscription.objects.bulk_create(
            [Subscription(user_id=u, idea_id=i, reason=r) for (u, i), r in reasons.items()],
            batch_size=1000,
            ignore_conflicts=True,
        )
        # ignore_conflicts leaves the objects without ids, so date them from their cause.
        seeded = Subscription.objects.filter(idea__in=[p.idea.pk for p in self.plans])
        first = {
            SubscriptionReason.AUTHOR: Idea.objects.filter(pk=OuterRef("idea")),
            SubscriptionReason.VOTER: Vote.objects.filter(
                idea=OuterRef("idea"), user=OuterRef("user")
            ),
            SubscriptionReason.COMMENTER: Comment.objects.filter(
                idea=OuterRef("idea"), author=OuterRef("user")
            ),
            SubscriptionReason.SIGNAL: Signal.objects.filter(
                idea=OuterRef("idea"), captured_by=OuterRef("user")
            ),
        }
        for reason, related in first.items():
            moment = "routed_at" if reason == SubscriptionReason.SIGNAL else "created_at"
            earliest = related.order_by(moment).values(moment)[:1]
            seeded.filter(reason=reason).update(created_at=Subquery(earliest))
        self.counts["subscriptions"] = len(reasons)


class Command(BaseCommand):
    help = "Load demo data (log-ins for every role, accounts, ideas, votes, signals) once."

    def handle(self, *args: Any, **options: Any) -> None:
        """Seed once, in one transaction; print the log-ins every time."""
        if User.objects.filter(email__iexact=MARKER_EMAIL).exists():
            self.stdout.write("Demo data already loaded.")
        else:
            self.stdout.write("Loading demo data…")
            started = time.monotonic()
            with transaction.atomic():
                counts = Seeder().run()
            width = max(len(name) for name in counts)
            for name, count in counts.items():
                self.stdout.write(f"  {name:<{width}}  {count:>5}")
            elapsed = time.monotonic() - started
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {elapsed:.1f} s."))
        self.print_logins()

    def print_logins(self) -> None:
        """The demo log-ins as a table, so `make run` shows how to sign in."""
        rows = [("Role", "Email", "Password")]
        rows += [(Role(p.role).label, p.email, data.PASSWORD) for p in data.LOGINS]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
        self.stdout.write("")
        self.stdout.write("Demo log-ins:")
        self.stdout.write(rule)
        for index, row in enumerate(rows):
            cells = " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
            self.stdout.write(f"| {cells} |")
            if index == 0:
                self.stdout.write(rule)
        self.stdout.write(rule)
