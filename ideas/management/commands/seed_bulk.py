"""`manage.py seed_bulk`: a large, realistic data set for benchmarks, loaded with COPY.

    manage.py seed_bulk --ideas 100000 --votes 1000000 --signals 200000 --comments 300000 \
        --users 50000 --accounts 2000 [--seed 1] [--force] [--scratch]

Every row is generated in Python from the demo text (ideas/demo_data.py, recombined) and
streamed to PostgreSQL with COPY in chunks, never held in memory as a whole. Distributions:
idea popularity is Zipf-like (a few ideas get most votes and comments), signals lean on
high-ARR accounts and carry the account snapshot, dates spread over the last two years.
Votes are unique per (user, idea) by construction: each idea samples distinct voters.

Ideas are written last, with vote_count, comment_count and trending_score summed while
their votes and comments were generated (the formula of trending.exact_score_expression,
so services.idea_recount_counters finds nothing to correct): no UPDATE afterwards, which
would rewrite 100k wide rows and their GIN entries. The search vector is a generated
column: PostgreSQL computes it during COPY. All of it is one transaction, in which indexes
that back no constraint are dropped and rebuilt after the COPYs, and (for a superuser) the
foreign-key triggers are skipped and replaced by one anti-join check per reference. Then
ANALYZE, a full recount of the similar-idea word statistics, and the id sequences are moved
past the rows. The loaded tables are locked for the duration.

By default the rows go into the current database, which must not already hold more than
a few hundred ideas (--force to add anyway). --scratch loads into a new scratch database on
the same server, prints the figures, and drops it (to time the load). See docs/performance.md.
"""

from __future__ import annotations

import math
import random
import sys
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection, transaction
from django.utils.text import slugify

from ideas import demo_data as data
from ideas import trending
from ideas.choices import (
    DealStage,
    EmailFrequency,
    IdeaSource,
    Importance,
    Lifecycle,
    Plan,
    Region,
    Segment,
    SignalKind,
    Status,
    Visibility,
)
from ideas.management.commands.seed_demo import SOURCE_WEIGHTS, STATUS_SHARE
from portal.models import Role

DAY = 86400.0
SPAN_DAYS = 730  # two years of history
EXISTING_IDEAS_LIMIT = 500  # more than this in the target database needs --force
ZIPF_EXPONENT = 0.9  # votes of the idea ranked r ~ r^-s
CHUNK_CHARS = 1 << 16

QUALIFIERS = [
    "",
    "",
    "",
    " for guest users",
    " in the mobile app",
    " through the API",
    " per project",
    " per workspace",
    " for workspace admins",
    " across all teams",
    " for large workspaces",
    " with bulk actions",
    " in Slack notifications",
    " for archived projects",
    " on dashboards",
    " for external clients",
    " in the Android app",
    " in the iOS app",
    " for portfolio views",
    " with audit trail",
    " for timesheets",
    " on shared boards",
    " by default",
    " as an option",
    " for read-only users",
    " in reports",
    " for recurring tasks",
    " with keyboard shortcuts",
    " in templates",
    " for the EU data centre",
]
CONTEXT = [
    "We have about {n} people using the product across {teams} teams.",
    "This comes up in every onboarding call with new team leads.",
    "Our workaround today is a spreadsheet that someone updates by hand every Friday.",
    "Our admins spend a couple of hours a week on this.",
    "Happy to jump on a call to walk through our setup.",
    "It matters most at month end, when finance closes the books.",
    "Several of our {teams} departments asked for this independently.",
    "We are on the {plan} plan and would upgrade for this.",
    "Other tools we evaluated already handle this.",
    "Ideally it would also respect our existing permission groups.",
    "A first version without the advanced options would already help.",
    "Our compliance team raised this in the last audit.",
    "Mobile support matters to us: half of our field team never opens a laptop.",
    "Please keep it simple to configure; most of our project leads are not technical.",
    "This would replace two browser extensions we install today.",
]
FIRST_NAMES = (
    "Maya",
    "Liam",
    "Noah",
    "Emma",
    "Olivia",
    "Ava",
    "Lucas",
    "Mia",
    "Ethan",
    "Amelia",
    "Harper",
    "Elijah",
    "Sofia",
    "Mateo",
    "Aria",
    "Chloe",
    "Leo",
    "Zoe",
    "Hana",
    "Ravi",
    "Priya",
    "Kenji",
    "Yuki",
    "Omar",
    "Leila",
    "Ines",
    "Jonas",
    "Freya",
    "Nils",
    "Ana",
    "Diego",
    "Lucia",
    "Tomasz",
    "Marta",
    "Ivan",
    "Olga",
    "Kwame",
    "Ama",
    "Chen",
    "Wei",
    "Sanjay",
    "Aisha",
    "Fatima",
    "Samuel",
    "Grace",
)
LAST_NAMES = (
    "Patel",
    "Smith",
    "Johnson",
    "Garcia",
    "Martin",
    "Rossi",
    "Muller",
    "Novak",
    "Tanaka",
    "Kim",
    "Nguyen",
    "Silva",
    "Costa",
    "Fischer",
    "Weber",
    "Okafor",
    "Mensah",
    "Hansen",
    "Larsen",
    "Kowalski",
    "Ivanov",
    "Rahman",
    "Lefebvre",
    "Dubois",
    "Moreau",
    "Alvarez",
    "Fernandez",
    "Lopez",
    "Singh",
    "Chen",
    "Wang",
    "Brown",
    "Wilson",
    "Taylor",
    "Walker",
    "Young",
)
COMPANY_WORDS = (
    "Acme",
    "Northwind",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Hooli",
    "Vandelay",
    "Contoso",
    "Fabrikam",
    "Tailspin",
    "Litware",
    "Proseware",
    "Adventure",
    "Blue",
    "Yonder",
    "Coho",
    "Fourth",
    "Coffee",
    "Harbor",
    "Summit",
    "Pioneer",
    "Evergreen",
    "Atlas",
    "Nimbus",
    "Quantum",
    "Vertex",
    "Apex",
    "Orion",
    "Lumen",
    "Cobalt",
    "Meridian",
)
COMPANY_SUFFIXES = ["Corp", "Group", "Labs", "Systems", "Health", "Bank", "Retail", "Media"]


def escape(text: str) -> str:
    """A value for COPY's text format."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "")


_DAYS: dict[int, str] = {}
_CLOCK = [f" {h:02d}:{m:02d}:{s:02d}+00" for h in range(24) for m in range(60) for s in range(60)]


def day(seconds: float) -> str:
    """An epoch time's UTC date, as COPY reads it (cached: a few hundred distinct days)."""
    number = int(seconds // DAY)
    text = _DAYS.get(number)
    if text is None:
        text = _DAYS[number] = time.strftime("%Y-%m-%d", time.gmtime(number * DAY))
    return text


def stamp(seconds: float) -> str:
    """An epoch time as a timestamptz literal (UTC), without strftime per row."""
    return day(seconds) + _CLOCK[int(seconds % DAY)]


def weighted(items, weights) -> list:
    """A list in which each item appears in proportion to its (whole-number) weight, for a
    fast rng.choice() where rng.choices() would rebuild cumulative weights on every call."""
    return [item for item, weight in zip(items, weights, strict=True) for _ in range(weight)]


def thousands(amount: float) -> int:
    return int(round(amount / 1000) * 1000)


class Progress:
    """A per-table progress bar with rows/s on stderr (one final line when not a terminal)."""

    def __init__(self, label: str, total: int, *, enabled: bool = True) -> None:
        self.label, self.total, self.enabled = label, total, enabled
        self.done = 0
        self.started = time.perf_counter()
        self.drawn = 0.0
        self.tty = sys.stderr.isatty()

    def rate(self) -> float:
        return self.done / max(time.perf_counter() - self.started, 1e-9)

    def update(self, done: int) -> None:
        self.done = done
        now = time.perf_counter()
        if self.enabled and self.tty and now - self.drawn > 0.2:
            self.drawn = now
            self.draw(end="")

    def draw(self, end: str) -> None:
        width = 30
        filled = width * self.done // max(self.total, 1)
        sys.stderr.write(
            f"\r{self.label:<10} [{'#' * filled}{'-' * (width - filled)}] "
            f"{self.done:>9,}/{self.total:,} {self.rate():>9,.0f} rows/s{end}"
        )
        sys.stderr.flush()

    def finish(self) -> float:
        seconds = time.perf_counter() - self.started
        if self.enabled:
            self.draw(end=f" {seconds:6.1f} s\n")
        return seconds


class RowStream:
    """A file-like object over generated COPY lines, read by psycopg2 in chunks."""

    def __init__(self, lines: Iterator[str], progress: Progress) -> None:
        self.lines = lines
        self.progress = progress
        self.rows = 0
        self.pending = ""

    def read(self, size: int = -1) -> str:
        size = CHUNK_CHARS if size is None or size < 0 else size
        parts = [self.pending]
        length = len(self.pending)
        rows = self.rows
        for line in self.lines:
            parts.append(line)
            length += len(line)
            rows += 1
            if length >= size:
                break
        self.rows = rows
        self.progress.update(rows)
        text = "".join(parts)
        self.pending = ""
        return text

    def readline(self, size: int = -1) -> str:  # psycopg2 only calls read(); for safety
        return self.read(size)


@dataclass
class Sizes:
    ideas: int
    votes: int
    signals: int
    comments: int
    users: int
    accounts: int


@dataclass
class World:
    """What later tables need to know about earlier ones (all lists indexed from 0)."""

    now: float
    base: dict[str, int]
    account_arr: list[float] = field(default_factory=list)
    account_row: list[tuple] = field(default_factory=list)  # snapshot fields
    account_owner: list[int] = field(default_factory=list)
    user_account: list[int | None] = field(default_factory=list)  # account index
    customers: list[int] = field(default_factory=list)
    internal: list[int] = field(default_factory=list)
    sales: list[int] = field(default_factory=list)
    pms: list[int] = field(default_factory=list)
    idea_created: list[float] = field(default_factory=list)
    idea_changed: list[float] = field(default_factory=list)
    idea_status: list[str] = field(default_factory=list)
    idea_source: list[str] = field(default_factory=list)
    idea_author: list[int] = field(default_factory=list)
    vote_weight: list[float] = field(default_factory=list)  # Σ e^x(vote) per idea
    public_comments: list[int] = field(default_factory=list)
    idea_end: list[float] = field(default_factory=list)  # when voting stopped
    idea_seed: list[int] = field(default_factory=list)
    idea_public: list[bool] = field(default_factory=list)
    idea_votes: list[int] = field(default_factory=list)
    idea_weight: list[float] = field(default_factory=list)


class Generator:
    """Deterministic row generators for each table, as COPY text lines."""

    def __init__(self, sizes: Sizes, world: World, seed: int) -> None:
        self.sizes = sizes
        self.world = world
        self.rng = random.Random(seed)
        self.seeds = data.IDEAS
        self.sentiment_cache: dict[str, str] = {}

    # Helpers -----------------------------------------------------------------------

    def sentiment(self, text: str) -> str:
        value = self.sentiment_cache.get(text)
        if value is None:
            from ideas.insights import sentiment_score

            score = sentiment_score(text)
            value = "\\N" if score is None else f"{score:.4f}"
            self.sentiment_cache[text] = value
        return value

    def past(self, skew: float = 1.0) -> float:
        """A moment in the last two years; skew > 1 leans towards the present."""
        return self.world.now - SPAN_DAYS * DAY * self.rng.random() ** skew

    def person(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    # Tables ------------------------------------------------------------------------

    def accounts(self) -> Iterator[str]:
        rng, world = self.rng, self.world
        base = world.base["ideas_account"]
        created = stamp(world.now - SPAN_DAYS * DAY)
        segments, regions = Segment.values, Region.values
        for n in range(self.sizes.accounts):
            pk = base + n + 1
            lifecycle = rng.choices(
                [Lifecycle.CUSTOMER, Lifecycle.PROSPECT, Lifecycle.CHURNED], [75, 20, 5]
            )[0]
            if lifecycle == Lifecycle.CUSTOMER:
                # Pareto: most accounts are small, a few are worth millions.
                arr = min(thousands(4000 * (1 - rng.random()) ** (-1 / 1.1)), 5_000_000)
            else:
                arr = 0
            plan = (
                Plan.ENTERPRISE
                if arr >= 150_000
                else Plan.BUSINESS
                if arr >= 30_000
                else rng.choice([Plan.STARTER, Plan.FREE, Plan.BUSINESS])
            )
            segment, region = rng.choice(segments), rng.choice(regions)
            name = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_SUFFIXES)} {pk}"
            world.account_arr.append(arr)
            world.account_row.append((f"{arr}.00", plan, segment, region, lifecycle))
            owner = rng.choice(world.sales) if world.sales else None
            world.account_owner.append(owner)
            yield (
                f"{pk}\t{name}\tacct{pk}.bulk.example\t{segment}\t{region}\t{plan}\t{arr}.00\t"
                f"{lifecycle}\tBULK-{pk:07d}\t{created}\t{created}\t"
                f"{owner if owner else '\\N'}\n"
            )

    def plan_users(self) -> None:
        """Decide every user's role and account first: accounts need their owners."""
        world, n_users = self.world, self.sizes.users
        base = world.base["portal_user"]
        pms, admins = max(2, n_users // 2500), 2
        sales, staff = max(3, n_users // 250), max(2, n_users // 500)
        self.roles = (
            [Role.ADMIN] * admins + [Role.PM] * pms + [Role.SALES] * sales + [Role.STAFF] * staff
        )
        self.roles = self.roles[:n_users]
        self.roles += [Role.CUSTOMER] * (n_users - len(self.roles))
        for n, role in enumerate(self.roles):
            pk = base + n + 1
            if role == Role.CUSTOMER:
                world.customers.append(pk)
            else:
                world.internal.append(pk)
                if role == Role.SALES:
                    world.sales.append(pk)
                elif role in (Role.PM, Role.ADMIN):
                    world.pms.append(pk)

    def users(self) -> Iterator[str]:
        rng, world = self.rng, self.world
        base = world.base["portal_user"]
        password = make_password(None)  # one unusable hash for everyone
        n_accounts = self.sizes.accounts
        # Bigger accounts have more people on the portal.
        weights = [1 + math.sqrt(arr / 1000) for arr in world.account_arr]
        picks = rng.choices(range(n_accounts), weights, k=self.sizes.users) if n_accounts else []
        frequencies = weighted(EmailFrequency.values, [7, 2, 1])
        for n, role in enumerate(self.roles):
            pk = base + n + 1
            name = self.person()
            local = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
            local = ".".join(local.split())
            account = None
            if role == Role.CUSTOMER and n_accounts and rng.random() < 0.85:
                account = picks[n]
                domain = f"acct{world.base['ideas_account'] + account + 1}.bulk.example"
            else:
                domain = "lode.bulk.example" if role != Role.CUSTOMER else "mail.bulk.example"
            world.user_account.append(account)
            joined = stamp(self.past(skew=0.8))
            staff = "t" if role in (Role.ADMIN, Role.PM) else "f"
            superuser = "t" if role == Role.ADMIN else "f"
            account_id = world.base["ideas_account"] + account + 1 if account is not None else None
            yield (
                f"{pk}\t{password}\t\\N\t{superuser}\t{local}.{pk}@{domain}\t{name}\t{role}\tt\t"
                f"{staff}\t{joined}\t{account_id if account_id else '\\N'}\t"
                f"{rng.choice(frequencies)}\n"
            )

    def plan_ideas(self) -> None:
        """Decide what votes and comments depend on (status, dates, visibility, author),
        before any idea row is written: ideas are written last, with exact counters."""
        rng, world, sizes = self.rng, self.world, self.sizes
        statuses = weighted(STATUS_SHARE, [round(100 * v) for v in STATUS_SHARE.values()])
        idea_sources = weighted(
            [IdeaSource.CUSTOMER, IdeaSource.SALES, IdeaSource.STAFF], [17, 2, 1]
        )
        open_statuses = {Status.NEW, Status.UNDER_REVIEW, Status.PLANNED, Status.IN_PROGRESS}
        ranks = list(range(sizes.ideas))
        rng.shuffle(ranks)
        world.idea_weight = [(rank + 1) ** -ZIPF_EXPONENT for rank in ranks]
        n_seeds = len(self.seeds)
        for _ in range(sizes.ideas):
            source = rng.choice(idea_sources)
            public = source == IdeaSource.CUSTOMER or rng.random() < 0.5
            if source == IdeaSource.CUSTOMER and world.customers:
                author = rng.choice(world.customers)
            else:
                author = rng.choice(world.sales if source == IdeaSource.SALES else world.internal)
            status = rng.choice(statuses)
            # Whole seconds, as stored: trending is computed from the stored times.
            created = float(int(self.past(skew=1.4 if status == Status.NEW else 0.9)))
            changed = float(int(created + (world.now - created) * rng.uniform(0.2, 0.9)))
            world.idea_seed.append(rng.randrange(n_seeds))
            world.idea_source.append(source)
            world.idea_public.append(public)
            world.idea_author.append(author)
            world.idea_status.append(status)
            world.idea_created.append(created)
            world.idea_changed.append(changed)
            world.idea_end.append(world.now if status in open_statuses else changed)
        world.vote_weight = [0.0] * sizes.ideas
        world.public_comments = [0] * sizes.ideas

    def ideas(self, category_ids: dict[str, int]) -> Iterator[str]:
        rng, world = self.rng, self.world
        base = world.base["ideas_idea"]
        context = [escape(c) for c in CONTEXT]
        slugs: dict[str, str] = {}
        epoch, scale = trending.EPOCH.timestamp(), DAY * trending.TAU_DAYS
        for n in range(self.sizes.ideas):
            pk = base + n + 1
            seed = self.seeds[world.idea_seed[n]]
            title = (seed.title + rng.choice(QUALIFIERS))[:140]
            slug = slugs.get(title)
            if slug is None:
                slug = slugs[title] = slugify(title)[:80].strip("-") or "idea"
            extra = rng.choice(context).format(
                n=rng.choice([40, 120, 300, 800, 2500]),
                teams=rng.choice(["three", "five", "a dozen", "twenty"]),
                plan=rng.choice(Plan.labels),
            )
            body = f"{escape(seed.body)}\\n\\n{extra}"
            author, status = world.idea_author[n], world.idea_status[n]
            account_index = world.user_account[author - world.base["portal_user"] - 1]
            account = (
                world.base["ideas_account"] + account_index + 1
                if account_index is not None
                else None
            )
            created, changed = world.idea_created[n], world.idea_changed[n]
            owner = rng.choice(world.pms) if status != Status.NEW and world.pms else None
            effort = f"{rng.choice([0.5, 1, 2, 3, 5, 8, 13])}" if rng.random() < 0.3 else "\\N"
            fit = str(rng.randint(0, 5)) if effort != "\\N" else "\\N"
            response, response_at, response_by = "", "\\N", "\\N"
            if status in data.PUBLIC_RESPONSES and owner and rng.random() < 0.3:
                response = escape(rng.choice(data.PUBLIC_RESPONSES[status]))
                response_at, response_by = stamp(changed), str(owner)
            # trending.exact_score_expression: ln(e^x(created) + Σ e^x(vote)).
            score = math.log(math.exp((created - epoch) / scale) + world.vote_weight[n])
            visibility = Visibility.PUBLIC if world.idea_public[n] else Visibility.INTERNAL
            yield (
                f"{pk}\t{escape(title)}\t{slug}\t{body}\t{world.idea_source[n]}\t{status}\t"
                f"{visibility}\t\\N\t{effort}\t{fit}\t{response}\t{response_at}\t"
                f"{world.idea_votes[n]}\t{world.public_comments[n]}\t{stamp(created)}\t"
                f"{stamp(changed)}\t{stamp(changed) if status != Status.NEW else '\\N'}\t"
                f"{account if account else '\\N'}\t{author}\t{category_ids[seed.category]}\t"
                f"\\N\t{owner if owner else '\\N'}\t{response_by}\t{score!r}\n"
            )

    def idea_tags(self, tag_ids: dict[str, int]) -> Iterator[str]:
        base = self.world.base["ideas_idea"]
        for n, s in enumerate(self.world.idea_seed):
            for tag in self.seeds[s].tags:
                yield f"{base + n + 1}\t{tag_ids[tag]}\n"

    def plan_votes(self) -> int:
        """How many votes each idea gets: Zipf-like, capped by who may vote; returns the total."""
        rng, world = self.rng, self.world
        n_users, n_internal = self.sizes.users, len(world.internal)
        caps = [n_users if public else n_internal for public in world.idea_public]
        total_weight = sum(world.idea_weight) or 1.0
        want = min(self.sizes.votes, sum(caps))
        counts = []
        for weight, cap in zip(world.idea_weight, caps, strict=True):
            exact = want * weight / total_weight
            counts.append(min(cap, int(exact) + (rng.random() < exact - int(exact))))
        # Rounding and caps leave a difference: spread it over random ideas with room.
        missing = want - sum(counts)
        indexes = range(len(counts))
        while missing > 0:
            for i in rng.choices(indexes, world.idea_weight, k=min(missing, 10_000)):
                if missing > 0 and counts[i] < caps[i]:
                    counts[i] += 1
                    missing -= 1
        while missing < 0:
            i = rng.randrange(len(counts))
            if counts[i] > 0:
                counts[i] -= 1
                missing += 1
        world.idea_votes = counts
        return want

    def votes(self) -> Iterator[str]:
        rng, world = self.rng, self.world
        base_user = world.base["portal_user"]
        base_idea = world.base["ideas_idea"]
        pk = world.base["ideas_vote"]
        everyone = range(base_user + 1, base_user + self.sizes.users + 1)
        epoch, scale, exp = trending.EPOCH.timestamp(), DAY * trending.TAU_DAYS, math.exp
        for n, count in enumerate(world.idea_votes):
            if not count:
                continue
            pool = everyone if world.idea_public[n] else world.internal
            voters = rng.sample(pool, count)
            start, end = world.idea_created[n], world.idea_end[n]
            span = max(end - start, 60.0)
            # Early-heavy, even, or late-heavy (rising) interest.
            shape = rng.choice((0.5, 1.0, 1.0, 2.5))
            idea = base_idea + n + 1
            weight = 0.0
            for user in voters:
                pk += 1
                at = int(end - span * rng.random() ** shape)
                weight += exp((at - epoch) / scale)
                yield f"{pk}\t{stamp(at)}\t{idea}\t{user}\n"
            world.vote_weight[n] = weight

    def comments(self) -> Iterator[str]:
        rng, world = self.rng, self.world
        base_idea = world.base["ideas_idea"]
        pk = world.base["ideas_comment"]
        n_ideas = len(world.idea_created)
        weights = [v + 0.5 for v in world.idea_votes]
        public_texts = data.PUBLIC_COMMENTS + data.THANKS_COMMENTS
        internal_texts = data.INTERNAL_NOTES + data.INTERNAL_IDEA_COMMENTS
        done = 0
        while done < self.sizes.comments:
            batch = min(50_000, self.sizes.comments - done)
            for n in rng.choices(range(n_ideas), weights, k=batch):
                pk += 1
                internal = (not world.idea_public[n]) or rng.random() < 0.05
                if internal:
                    author = rng.choice(world.internal)
                    text = rng.choice(internal_texts)
                elif world.pms and rng.random() < 0.04:
                    author = rng.choice(world.pms)
                    text = rng.choice(data.PM_REPLIES)
                else:
                    author = rng.choice(world.customers or world.internal)
                    text = rng.choice(public_texts)
                if not internal:
                    world.public_comments[n] += 1
                start = world.idea_created[n]
                at = start + (world.now - start) * rng.random()
                yield (
                    f"{pk}\t{escape(text)}\t{'t' if internal else 'f'}\t{stamp(at)}\t\\N\t"
                    f"{author}\t{base_idea + n + 1}\t{self.sentiment(text)}\n"
                )
            done += batch

    def signals(self) -> Iterator[str]:
        rng, world = self.rng, self.world
        base_idea = world.base["ideas_idea"]
        base_account = world.base["ideas_account"]
        pk = world.base["ideas_signal"]
        n_ideas, n_accounts = len(world.idea_created), self.sizes.accounts
        # Large accounts get heard far more often; prospects carry a deal on the table.
        account_weights = [
            (arr / 1000) ** 0.8 + (5 if row[4] == Lifecycle.PROSPECT else 1)
            for arr, row in zip(world.account_arr, world.account_row, strict=True)
        ]
        idea_weights = [w + 1e-4 for w in world.idea_weight]
        kinds = weighted(
            [
                SignalKind.FEATURE_REQUEST,
                SignalKind.COMPETITOR,
                SignalKind.PRICING,
                SignalKind.LOSS_REASON,
                SignalKind.PRAISE,
                SignalKind.OTHER,
            ],
            [70, 10, 7, 5, 5, 3],
        )
        sources = weighted(SOURCE_WEIGHTS, list(SOURCE_WEIGHTS.values()))
        importances = weighted(
            [Importance.NICE_TO_HAVE, Importance.IMPORTANT, Importance.DEAL_BREAKER], [6, 11, 3]
        )
        prospect_stages = weighted([DealStage.PROSPECT, DealStage.OPEN, DealStage.LOST], [5, 4, 1])
        customer_stages = {
            risk: weighted(
                ["", DealStage.RENEWAL_AT_RISK, DealStage.WON, DealStage.OPEN], [60, risk, 10, 15]
            )
            for risk in (5, 30)
        }
        reps = world.sales or world.internal
        named_competitor = (SignalKind.COMPETITOR, SignalKind.LOSS_REASON)
        done = 0
        while done < self.sizes.signals:
            batch = min(50_000, self.sizes.signals - done)
            account_picks = (
                rng.choices(range(n_accounts), account_weights, k=batch) if n_accounts else []
            )
            idea_picks = rng.choices(range(n_ideas), idea_weights, k=batch)
            for b in range(batch):
                pk += 1
                a = account_picks[b] if account_picks and rng.random() < 0.97 else None
                n = idea_picks[b] if rng.random() < 0.85 else None
                seed = self.seeds[world.idea_seed[n]] if n is not None else rng.choice(self.seeds)
                kind = rng.choice(kinds)
                importance = rng.choice(importances)
                if a is not None:
                    arr, plan, segment, region, lifecycle = world.account_row[a]
                    prospect = lifecycle == Lifecycle.PROSPECT
                    account_id = str(base_account + a + 1)
                    rep = world.account_owner[a] or rng.choice(reps)
                else:
                    arr, plan, segment, region, lifecycle = "\\N", "", "", "", ""
                    prospect = False
                    account_id = "\\N"
                    rep = rng.choice(reps)
                who = "prospect" if prospect else "customer"
                competitor = rng.choice(data.COMPETITORS[seed.category])
                if kind == SignalKind.COMPETITOR:
                    template = rng.choice(data.COMPETITOR_VERBATIMS)
                elif kind == SignalKind.LOSS_REASON:
                    template = rng.choice(data.LOSS_VERBATIMS[who])
                elif kind == SignalKind.PRICING:
                    template = rng.choice(data.PRICING_VERBATIMS)
                elif kind == SignalKind.PRAISE:
                    template = rng.choice(data.PRAISE_VERBATIMS)
                else:
                    template = rng.choice(data.FEATURE_VERBATIMS[(importance, who)])
                ask = seed.ask
                verbatim = template.format(
                    ask=ask, Ask=ask[:1].upper() + ask[1:], competitor=competitor
                )
                summary_key = (importance, who) if kind == SignalKind.FEATURE_REQUEST else kind
                summaries = data.SUMMARIES.get(summary_key) or [""]
                summary = rng.choice(summaries).format(ask=ask, competitor=competitor)[:200]
                if prospect:
                    stage = rng.choice(prospect_stages)
                elif a is not None:
                    at_risk = 30 if importance == Importance.DEAL_BREAKER else 5
                    stage = rng.choice(customer_stages[at_risk])
                else:
                    stage = ""
                value = (
                    str(thousands(rng.uniform(10_000, 400_000)))
                    if stage in (DealStage.PROSPECT, DealStage.OPEN)
                    else "\\N"
                )
                if n is not None:
                    start = world.idea_created[n]
                    heard = start + (world.now - start) * rng.random() ** 0.7
                else:
                    heard = self.past(skew=1.5)
                created = min(heard + rng.uniform(0, 3 * DAY), world.now)
                if n is not None:
                    idea = str(base_idea + n + 1)
                    routed_at = stamp(min(created + rng.uniform(600, 5 * DAY), world.now))
                    routed_by = str(rng.choice(world.pms)) if world.pms else "\\N"
                    proposed = ""
                else:
                    idea, routed_at, routed_by = "\\N", "\\N", "\\N"
                    proposed = escape(seed.title) if rng.random() < 0.3 else ""
                yield (
                    f"{pk}\t{self.person()}\t{rng.choice(data.CONTACT_ROLES)}\t"
                    f"{escape(verbatim)}\t{escape(summary)}\t{kind}\t"
                    f"{competitor if kind in named_competitor else ''}"
                    f"\t{rng.choice(sources)}\t{day(heard)}\t{importance}\t"
                    f"{value}\t{stage}\t{arr}\t{plan}\t{segment}\t{region}\t{lifecycle}\t"
                    f"{proposed}\t{routed_at}\t{stamp(created)}\t{account_id}\t{rep}\t{idea}\t"
                    f"{routed_by}\t{self.sentiment(verbatim)}\n"
                )
            done += batch


COLUMNS = {
    "ideas_account": "id, name, domain, segment, region, plan, arr, lifecycle, external_id, "
    "created_at, updated_at, owner_id",
    "portal_user": "id, password, last_login, is_superuser, email, name, role, is_active, "
    "is_staff, date_joined, account_id, email_frequency",
    "ideas_idea": "id, title, slug, body, source, status, visibility, merged_at, effort, "
    "strategic_fit, public_response, public_response_at, vote_count, comment_count, "
    "created_at, updated_at, status_changed_at, account_id, author_id, category_id, "
    "merged_into_id, owner_id, public_response_by_id, trending_score",
    "ideas_idea_tags": "idea_id, tag_id",
    "ideas_vote": "id, created_at, idea_id, user_id",
    "ideas_comment": "id, body, is_internal, created_at, edited_at, author_id, idea_id, sentiment",
    "ideas_signal": "id, contact_name, contact_role, verbatim, summary, kind, competitor, "
    "source, heard_on, importance, opportunity_value, deal_stage, account_arr, account_plan, "
    "account_segment, account_region, account_lifecycle, proposed_title, routed_at, "
    "created_at, account_id, captured_by_id, idea_id, routed_by_id, sentiment",
}
SEQUENCED = [
    "ideas_account",
    "portal_user",
    "ideas_idea",
    "ideas_idea_tags",
    "ideas_vote",
    "ideas_comment",
    "ideas_signal",
]


def secondary_indexes(cursor, tables: list[str]) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the tables' indexes that back no constraint."""
    cursor.execute(
        """
        SELECT c.relname, pg_get_indexdef(i.indexrelid)
          FROM pg_index i
          JOIN pg_class c ON c.oid = i.indexrelid
         WHERE i.indrelid = ANY(%s::regclass[])
           AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
         ORDER BY c.relname
        """,
        [tables],
    )
    return cursor.fetchall()


def load(sizes: Sizes, *, seed: int = 1, progress: bool = True) -> dict[str, float]:
    """Generate and COPY everything into the default database; returns timings in seconds."""
    from ideas.models import Category, Tag

    timings: dict[str, float] = {}
    started = time.perf_counter()
    for slug, name, description in data.CATEGORIES:
        Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
    for slug, name in data.TAGS.items():
        Tag.objects.get_or_create(slug=slug, defaults={"name": name})
    category_ids = dict(Category.objects.values_list("slug", "id"))
    tag_ids = dict(Tag.objects.values_list("slug", "id"))
    with connection.cursor() as cursor:
        base = {}
        for table in SEQUENCED:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
            base[table] = cursor.fetchone()[0]
    world = World(now=float(int(time.time())), base=base)
    gen = Generator(sizes, world, seed)
    gen.plan_users()
    # Ideas come last: their counters and trending score are summed while votes and
    # comments are generated, so no UPDATE (which would recompute every search vector).
    plan = [
        ("accounts", "ideas_account", gen.accounts),
        ("users", "portal_user", gen.users),
        ("votes", "ideas_vote", gen.votes),
        ("comments", "ideas_comment", gen.comments),
        ("signals", "ideas_signal", gen.signals),
        ("ideas", "ideas_idea", lambda: gen.ideas(category_ids)),
        ("tags", "ideas_idea_tags", lambda: gen.idea_tags(tag_ids)),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg2's own cursor, for copy_expert
        # Foreign keys are checked by deferred triggers, one lookup and row lock per
        # reference at COMMIT; the generated rows are consistent by construction (and checked
        # below), so a superuser skips the triggers for this transaction.
        try:
            with transaction.atomic():
                cursor.execute("SET LOCAL session_replication_role = replica")
            skip_triggers = True
        except DatabaseError:
            skip_triggers = False
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        # Indexes that back no constraint are dropped for the load and rebuilt after it
        # (one sort each instead of a million random inserts); the tables stay locked.
        step = time.perf_counter()
        indexes = secondary_indexes(cursor, [table for _, table, _ in plan])
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        gen.plan_ideas()
        for label, table, rows in plan:
            if table == "ideas_vote":
                total = gen.plan_votes()
            elif table == "ideas_idea_tags":
                total = sum(len(gen.seeds[s].tags) for s in world.idea_seed)
            else:
                total = getattr(sizes, label)
            bar = Progress(label, total, enabled=progress)
            stream = RowStream(rows(), bar)
            raw.copy_expert(
                f"COPY {table} ({COLUMNS[table]}) FROM STDIN", stream, size=CHUNK_CHARS
            )
            timings[label] = bar.finish()
        step = time.perf_counter()
        for _, statement in indexes:
            cursor.execute(statement)
        timings["indexes"] = time.perf_counter() - step
        if skip_triggers:
            step = time.perf_counter()
            check_references(cursor, base)
            timings["reference check"] = time.perf_counter() - step
        for table in SEQUENCED:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
    step = time.perf_counter()
    with connection.cursor() as cursor:
        # VACUUM too, as autovacuum soon would: it sets the visibility map, without which
        # counting from an index still visits every row (not possible inside a transaction,
        # as in tests).
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        for table in SEQUENCED:
            cursor.execute(f"{command} {table}")
    timings["analyze"] = time.perf_counter() - step
    step = time.perf_counter()
    from ideas import similarity

    similarity.refresh_stats(full=True)
    timings["word stats"] = time.perf_counter() - step
    step = time.perf_counter()
    from ideas import evidence

    # What the worker would do after such an import: the board ranks by this snapshot.
    evidence.refresh_snapshot()
    timings["evidence snapshot"] = time.perf_counter() - step
    timings["total"] = time.perf_counter() - started
    return timings


def check_references(cursor, base: dict[str, int]) -> None:
    """Every reference of the loaded rows points at a row (the triggers were skipped)."""
    checks = [
        ("ideas_vote", "idea_id", "ideas_idea"),
        ("ideas_vote", "user_id", "portal_user"),
        ("ideas_comment", "idea_id", "ideas_idea"),
        ("ideas_comment", "author_id", "portal_user"),
        ("ideas_signal", "idea_id", "ideas_idea"),
        ("ideas_signal", "account_id", "ideas_account"),
        ("ideas_signal", "captured_by_id", "portal_user"),
        ("ideas_idea", "author_id", "portal_user"),
        ("ideas_idea", "account_id", "ideas_account"),
        ("ideas_idea", "owner_id", "portal_user"),
        ("portal_user", "account_id", "ideas_account"),
        ("ideas_account", "owner_id", "portal_user"),
    ]
    for table, column, target in checks:
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} t WHERE t.id > %s AND t.{column} IS NOT NULL "  # noqa: S608
            f"AND NOT EXISTS (SELECT 1 FROM {target} r WHERE r.id = t.{column})",
            [base[table]],
        )
        if missing := cursor.fetchone()[0]:
            raise CommandError(f"{missing} rows of {table}.{column} point nowhere.")


class Command(BaseCommand):
    help = "Load a large realistic data set with COPY (benchmarks). See docs/performance.md."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ideas", type=int, default=2_000)
        parser.add_argument("--votes", type=int, default=20_000)
        parser.add_argument("--signals", type=int, default=4_000)
        parser.add_argument("--comments", type=int, default=6_000)
        parser.add_argument("--users", type=int, default=1_000)
        parser.add_argument("--accounts", type=int, default=100)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--force", action="store_true", help="Load even if the database already has ideas."
        )
        parser.add_argument(
            "--scratch",
            action="store_true",
            help="Load into a new scratch database, report, and drop it (to time the load).",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options) -> None:
        sizes = Sizes(
            **{k: options[k] for k in ("ideas", "votes", "signals", "comments", "users")},
            accounts=options["accounts"],
        )
        if min(sizes.__dict__.values()) < 0 or sizes.users < 10 or sizes.ideas < 1:
            raise CommandError("Sizes must be positive, with at least 10 users and 1 idea.")
        if options["scratch"]:
            from ideas.management.commands.eval_duplicates import scratch_database

            with scratch_database("lode_seed_bulk") as name:
                self.stderr.write(f"Scratch database {name} (dropped at the end).")
                self.run(sizes, options)
            return
        from ideas.models import Idea

        existing = Idea.objects.count()
        if existing > EXISTING_IDEAS_LIMIT and not options["force"]:
            raise CommandError(
                f"This database already has {existing} ideas; use --force to add "
                f"{sizes.ideas} more, or --scratch."
            )
        self.run(sizes, options)

    def run(self, sizes: Sizes, options: dict) -> None:
        timings = load(sizes, seed=options["seed"], progress=not options["no_progress"])
        steps = ", ".join(f"{k} {v:.1f} s" for k, v in timings.items() if k != "total")
        self.stdout.write(
            f"Loaded {sizes.ideas:,} ideas, {sizes.votes:,} votes, {sizes.comments:,} comments, "
            f"{sizes.signals:,} signals, {sizes.users:,} users, {sizes.accounts:,} accounts "
            f"in {timings['total']:.1f} s ({steps})."
        )
