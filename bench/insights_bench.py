"""How long the insights page and the executive report take at volume.

    DEBUG=true .venv/bin/python bench/insights_bench.py [--votes 1000000] [--signals 200000]
    DATABASE_URL=… DEBUG=true .venv/bin/python bench/insights_bench.py --existing

Creates a scratch database on the same PostgreSQL server (dropped at the end, also on
failure), migrates it, fills it with two years of activity — 2,000 accounts, 20,000 customers,
2,000 ideas, the votes and signals asked for, 100,000 comments and 6,000 decisions — using
server-side INSERT … SELECT over generate_series (no row crosses the wire), then times
`insights.compute` for the three preset periods and a filtered one, the page and the report
through Django's test client, and the CSV and PowerPoint exports; then the page on a cache
miss and from the cache, and the worker's refresh of the presets. Runs in a few minutes on
two cores. `--existing` measures a database as it is (e.g. one `manage.py seed_bulk` filled)
instead of a scratch one.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import DEFAULT_DB_ALIAS, connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from ideas import insights  # noqa: E402
from ideas.choices import Lifecycle, Plan, Region, Segment  # noqa: E402
from ideas.models import Account, Category, Idea, Tag  # noqa: E402
from portal.models import Role, User  # noqa: E402

ACCOUNTS, CUSTOMERS, IDEAS, COMMENTS, DECISIONS = 2_000, 20_000, 2_000, 100_000, 6_000
CATEGORIES = ("Reporting", "Integrations", "Mobile", "Security", "Collaboration", "Admin",
              "Performance", "Billing")  # fmt: skip
TAGS = 20
REPEATS = 3


@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """A migrated database beside the real one, used by the default connection meanwhile;
    Django's test-database machinery creates and drops it."""
    conn = connections[DEFAULT_DB_ALIAS]
    real_name = conn.settings_dict["NAME"]
    test_settings = conn.settings_dict.setdefault("TEST", {})
    saved = dict(test_settings)
    test_settings["NAME"] = f"{prefix}_{os.getpid()}"
    created = False
    try:
        with redirect_stdout(io.StringIO()):
            conn.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        created = True
        yield test_settings["NAME"]
    finally:
        if created:
            conn.creation.destroy_test_db(real_name, verbosity=0)
        test_settings.clear()
        test_settings.update(saved)


def step(label: str) -> Callable[[], None]:
    started = time.perf_counter()
    print(f"  {label} …", end="", flush=True)
    return lambda: print(f" {time.perf_counter() - started:.1f}s", flush=True)


def execute(sql: str, params: dict | None = None) -> None:
    """Run one statement; with params, a literal % is written %%."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def seed(votes: int, signals: int) -> None:
    """Two years of activity. Some ideas (id % 10 = 0) gather most of their votes lately,
    others (id % 10 = 1) cooled off, so the movers panel has something real to find."""
    done = step("accounts, people, ideas")
    segments, regions = list(Segment.values), list(Region.values)
    plans, lifecycles = list(Plan.values), list(Lifecycle.values)
    Account.objects.bulk_create(
        Account(
            name=f"Account {n}",
            domain=f"a{n}.example",
            segment=segments[n % len(segments)],
            region=regions[n % len(regions)],
            plan=plans[n % len(plans)],
            lifecycle=lifecycles[n % 5 % len(lifecycles)],
            arr=(n * 7919) % 400 * 1000 + 5000,
            external_id=f"CRM-{n}",
        )
        for n in range(ACCOUNTS)
    )
    account_ids = list(Account.objects.order_by("pk").values_list("pk", flat=True))
    User.objects.bulk_create(
        (
            User(email=f"c{n}@a{n % ACCOUNTS}.example", role=Role.CUSTOMER,
                 account_id=account_ids[n % ACCOUNTS])
            for n in range(CUSTOMERS)
        ),
        batch_size=5000,
    )  # fmt: skip
    User.objects.bulk_create(
        [User(email=f"rep{n}@lode.example", role=Role.SALES) for n in range(40)]
        + [User(email=f"pm{n}@lode.example", role=Role.PM) for n in range(10)]
    )
    categories = Category.objects.bulk_create(
        Category(name=name, slug=name.lower(), position=n) for n, name in enumerate(CATEGORIES)
    )
    Tag.objects.bulk_create(Tag(name=f"tag{n}", slug=f"tag{n}") for n in range(TAGS))
    Idea.objects.bulk_create(
        (
            Idea(title=f"Idea {n} about {CATEGORIES[n % 8].lower()}", slug=f"idea-{n}",
                 category=categories[n % 8], source=("customer", "sales", "staff")[n % 7 % 3])
            for n in range(IDEAS)
        ),
        batch_size=1000,
    )  # fmt: skip
    execute(
        """
        INSERT INTO ideas_idea_tags (idea_id, tag_id)
        SELECT i.id, t.id FROM ideas_idea i JOIN ideas_tag t
            ON (i.id + t.id) % 10 = 0 OR (i.id * 3 + t.id) % 17 = 0
        """
    )
    done()

    done = step(f"{votes:,} votes")
    # Each customer votes for distinct ideas: vote n is customer n / per_user's
    # (n % per_user)-th idea, offset by the customer, so (user, idea) never repeats.
    execute(
        """
        WITH u AS (SELECT array_agg(id ORDER BY id) AS ids FROM portal_user
                    WHERE role = 'customer'),
             i AS (SELECT array_agg(id ORDER BY id) AS ids FROM ideas_idea)
        INSERT INTO ideas_vote (idea_id, user_id, created_at)
        SELECT idea, usr,
               now() - make_interval(secs => 86400 * 730 *
                 CASE WHEN idea %% 10 = 0 THEN power(random(), 3)
                      WHEN idea %% 10 = 1 THEN 1 - power(random(), 3)
                      ELSE random() END)
          FROM (SELECT u.ids[1 + (n / %(per_user)s) %% %(users)s] AS usr,
                       i.ids[1 + ((n %% %(per_user)s) * 37 + n / %(per_user)s) %% %(ideas)s]
                         AS idea
                  FROM generate_series(0, %(votes)s - 1) AS n, u, i) v
        """,
        {
            "votes": votes,
            "users": CUSTOMERS,
            "ideas": IDEAS,
            "per_user": -(-votes // CUSTOMERS),
        },
    )
    done()

    done = step(f"{signals:,} signals")
    execute(
        """
        WITH a AS (SELECT array_agg(id ORDER BY id) AS ids FROM ideas_account),
             i AS (SELECT array_agg(id ORDER BY id) AS ids FROM ideas_idea),
             r AS (SELECT array_agg(id ORDER BY id) AS ids FROM portal_user WHERE role = 'sales')
        INSERT INTO ideas_signal (
            captured_by_id, account_id, contact_name, contact_role, verbatim, summary, kind,
            competitor, source, heard_on, importance, opportunity_value, deal_stage,
            account_arr, account_plan, account_segment, account_region, account_lifecycle,
            idea_id, proposed_title, routed_at, created_at, sentiment)
        SELECT r.ids[1 + n %% 40], acc.id, 'Contact', 'Buyer',
               'We keep asking for this; it blocks the rollout.', '', kind,
               CASE WHEN kind = 'competitor'
                    THEN (ARRAY['Asana', 'Wrike', 'Monday.com', 'ClickUp', 'Smartsheet',
                                'Jira', 'Notion', 'Trello'])[1 + n %% 8] ELSE '' END,
               'meeting', (CURRENT_DATE - (random() * 730)::int),
               (ARRAY['nice_to_have', 'important', 'important', 'deal_breaker'])[1 + n %% 4],
               CASE WHEN n %% 3 = 0 THEN (n %% 50 + 1) * 5000 END,
               (ARRAY['', 'prospect', 'open', 'won', 'lost', 'renewal_at_risk'])[1 + n %% 6],
               acc.arr, acc.plan, acc.segment, acc.region, acc.lifecycle,
               CASE WHEN n %% 10 <> 0 THEN i.ids[1 + (n * 7) %% %(ideas)s] END, '',
               CASE WHEN n %% 10 <> 0 THEN now() END, now(), (random() * 2 - 1)::float8
          FROM (SELECT n, a.ids[1 + (n * 13) %% %(accounts)s] AS account_id,
                       (ARRAY['feature_request', 'feature_request', 'feature_request',
                              'feature_request', 'competitor', 'pricing', 'loss_reason',
                              'praise', 'other'])[1 + n %% 9] AS kind
                  FROM generate_series(0, %(signals)s - 1) AS n, a) s
          JOIN ideas_account acc ON acc.id = s.account_id
          CROSS JOIN i CROSS JOIN r
        """,
        {"signals": signals, "ideas": IDEAS, "accounts": ACCOUNTS},
    )
    done()

    done = step(f"{COMMENTS:,} comments, {DECISIONS:,} decisions")
    execute(
        """
        WITH u AS (SELECT array_agg(id ORDER BY id) AS ids FROM portal_user
                    WHERE role = 'customer'),
             i AS (SELECT array_agg(id ORDER BY id) AS ids FROM ideas_idea)
        INSERT INTO ideas_comment (idea_id, author_id, body, is_internal, created_at, sentiment)
        SELECT i.ids[1 + (n * 11) %% %(ideas)s], u.ids[1 + (n * 17) %% %(users)s],
               'Yes please, we need this too.', false,
               now() - make_interval(secs => 86400 * 730 * random()), (random() * 2 - 1)::float8
          FROM generate_series(0, %(comments)s - 1) AS n, u, i
        """,
        {"comments": COMMENTS, "ideas": IDEAS, "users": CUSTOMERS},
    )
    execute(
        """
        WITH p AS (SELECT array_agg(id ORDER BY id) AS ids FROM portal_user WHERE role = 'pm'),
             i AS (SELECT array_agg(id ORDER BY id) AS ids FROM ideas_idea)
        INSERT INTO ideas_statuschange (idea_id, actor_id, kind, from_status, to_status,
                                        explanation, is_public, data, created_at)
        SELECT i.ids[1 + (n * 3) %% %(ideas)s], p.ids[1 + n %% 10], 'status', 'under_review',
               (ARRAY['planned', 'shipped', 'declined', 'under_review'])[1 + n %% 4],
               'Decided after reviewing the evidence.', true, '{}'::jsonb,
               now() - make_interval(secs => 86400 * 730 * random())
          FROM generate_series(0, %(decisions)s - 1) AS n, p, i
        """,
        {"decisions": DECISIONS, "ideas": IDEAS},
    )
    # Ideas were posted before their votes: spread their creation over the two years too.
    execute(
        "UPDATE ideas_idea SET created_at = now() - make_interval(days => (730 - id % 700)::int)"
    )
    done()

    done = step("VACUUM ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    done()


def timed(function: Callable[[], object], repeats: int = REPEATS) -> tuple[float, float]:
    """(median, best) wall-clock seconds over `repeats` runs, after one warm-up."""
    function()
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), min(runs)


def measure() -> list[tuple[str, float, float]]:
    results = []
    for days in (30, 90, 365):
        query = insights.InsightsQuery(insights.Period.last(days))
        results.append((f"compute, last {days} days", *timed(lambda q=query: insights.compute(q))))
    filtered = insights.InsightsQuery(
        insights.Period.last(90),
        insights.Filters(segment=Segment.FINANCIAL, plan=Plan.ENTERPRISE),
        weight="arr",
    )
    results.append(("compute, 90 days, filtered", *timed(lambda: insights.compute(filtered))))
    results.extend(measure_cache())
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.filter(role__in=(Role.PM, Role.ADMIN)).first())

    def get(url: str) -> Callable[[], object]:
        def run() -> object:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return run

    for label, url in (
        ("page /insights/ (90 days), cached", "/insights/?range=90"),
        ("page /insights/ (365 days), cached", "/insights/?range=365"),
        ("report (90 days), cached", "/insights/report/?range=90"),
        ("report.csv (90 days), cached", "/insights/report.csv?range=90"),
        ("report.pptx (90 days), cached", "/insights/report.pptx?range=90"),
    ):
        results.append((label, *timed(get(url))))
    return results


def measure_cache() -> list[tuple[str, float, float]]:
    """The page as people see it: a miss (computed, then stored) and a hit (from the cache),
    and what the worker's refresh of the three presets costs."""
    results = []
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.filter(role__in=(Role.PM, Role.ADMIN)).first())
    for days in ("90", "365"):
        query = insights.InsightsQuery(insights.Period.last(int(days)))

        def cold(days: str = days, query: insights.InsightsQuery = query) -> None:
            cache.delete(insights.cache_key(query))
            response = client.get(f"/insights/?range={days}")
            assert response.status_code == 200, response.status_code

        def hit(days: str = days) -> None:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(f"/insights/?range={days}")
            assert response.status_code == 200, response.status_code
            assert len(queries) <= 4, len(queries)  # session, user, categories, cache

        results.append((f"page, {days} days, cache miss", *timed(cold)))
        results.append((f"page, {days} days, from the cache", *timed(hit)))
    results.append(
        (
            "refresh_insights --now (30+90+365)",
            *timed(lambda: call_command("refresh_insights", "--now", stdout=io.StringIO()), 1),
        )
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--votes", type=int, default=1_000_000)
    parser.add_argument("--signals", type=int, default=200_000)
    parser.add_argument(
        "--existing",
        action="store_true",
        help="Measure the database DATABASE_URL names as it is (e.g. after manage.py "
        "seed_bulk), without seeding or dropping anything.",
    )
    args = parser.parse_args()
    if args.existing:
        print(f"Insights benchmark on {connection.settings_dict['NAME']}, {os.cpu_count()} CPUs")
        report(measure())
        return
    print(f"Insights benchmark: {args.votes:,} votes, {args.signals:,} signals, "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    with scratch_database("lode_bench_insights") as name:
        print(f"Scratch database {name}:")
        started = time.perf_counter()
        seed(args.votes, args.signals)
        print(f"  seeded in {time.perf_counter() - started:.0f}s")
        results = measure()
    report(results)
    print("\nScratch database dropped.")


def report(results: list[tuple[str, float, float]]) -> None:
    print(f"\n{'what':<40} {'median':>8} {'best':>8}   (seconds, {REPEATS} runs after a warm-up)")
    for label, median, best in results:
        print(f"{label:<40} {median:>8.3f} {best:>8.3f}")


if __name__ == "__main__":
    main()
