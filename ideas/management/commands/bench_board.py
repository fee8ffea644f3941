"""Time the board (and the review queue) with many ideas, in a scratch database.

manage.py bench_board --ideas 10000
"""

import random
import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from ideas.management.commands.eval_duplicates import scratch_database


class Command(BaseCommand):
    help = "Query count and time of /board/ and /triage/ at N ideas."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--ideas", type=int, default=10_000)
        parser.add_argument("--repeat", type=int, default=5)

    def handle(self, *args, ideas: int, repeat: int, **options) -> None:
        from ideas.models import Account, Idea, Signal, Vote
        from portal.models import User

        rng = random.Random(7)
        with scratch_database("lode_bench_board"), override_settings(ALLOWED_HOSTS=["*"]):
            pm = User.objects.create_user("pm@bench.example", role="pm")
            accounts = Account.objects.bulk_create(
                Account(name=f"Account {n}", arr=rng.randint(0, 500) * 1000) for n in range(300)
            )
            users = User.objects.bulk_create(
                User(email=f"user{n}@bench.example", account=rng.choice(accounts))
                for n in range(2000)
            )
            statuses = ["new", "under_review", "planned", "in_progress", "shipped"]
            rows = Idea.objects.bulk_create(
                Idea(
                    title=f"Idea {n} about reports", slug=f"idea-{n}", status=rng.choice(statuses)
                )
                for n in range(ideas)
            )
            votes = {(rng.choice(users).pk, rng.choice(rows).pk) for _ in range(ideas * 5)}
            Vote.objects.bulk_create(Vote(user_id=u, idea_id=i) for u, i in votes)
            Signal.objects.bulk_create(
                Signal(
                    account=rng.choice(accounts),
                    idea=rng.choice(rows),
                    verbatim="We need it",
                    heard_on="2026-10-01",
                    importance=rng.choice(["important", "deal_breaker"]),
                    deal_stage=rng.choice(["", "open", "prospect", "renewal_at_risk"]),
                    opportunity_value=rng.randint(0, 100) * 1000,
                )
                for _ in range(ideas // 2)
            )
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            client = Client()
            client.force_login(pm)
            for path in ("/board/", "/board/?sort=arr&dir=desc", "/triage/"):
                timings = []
                for _ in range(repeat):
                    with CaptureQueriesContext(connection) as queries:
                        started = time.perf_counter()
                        response = client.get(path)
                        timings.append(time.perf_counter() - started)
                    assert response.status_code == 200, response.status_code
                timings.sort()
                self.stdout.write(
                    f"{path:<28} {len(queries.captured_queries):>3} queries, "
                    f"median {timings[len(timings) // 2] * 1000:.0f} ms, "
                    f"best {timings[0] * 1000:.0f} ms "
                    f"({ideas} ideas, {len(votes)} votes, {ideas // 2} signals)"
                )
