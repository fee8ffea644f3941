"""Time similar-idea suggestions at scale, in a scratch database.

    manage.py bench_similar [--ideas 100000] [--queries 300] [--file PATH] [--seed 7]

Creates a scratch database on the same PostgreSQL server (dropped at the end), fills it with
synthetic ideas whose words are drawn from the real reports in the JSONL file (with their
frequencies) plus a long tail of rarer made-up words, as a larger vocabulary would have; 10 %
internal, 5 % merged. Then it times `queries.similar_ideas` — the forum's and the capture
page's lookup — for real report titles as typed (whole, and cut off mid-word), and for
title + body text, prints p50/p95/p99, how often the budgeted candidate filter finds the same
top 5 as scoring every idea that shares a word, and one query's EXPLAIN (ANALYZE) plan.
"""

from __future__ import annotations

import itertools
import random
import re
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from ideas.management.commands.eval_duplicates import progress, read_reports, scratch_database

TOKEN = re.compile(r"\S+")
SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
BATCH = 5000
RARE_SHARE = 0.06  # Share of words drawn from the long tail of made-up words.
TAIL_WORDS = 300_000


class Vocabulary:
    """Words with their frequencies, drawn at random in proportion."""

    def __init__(self, counts: Counter[str]) -> None:
        self.words = list(counts)
        self.cumulative = list(itertools.accumulate(counts.values()))

    def draw(self, rng: random.Random, n: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cumulative, k=n)


def made_up_word(rng: random.Random) -> str:
    """A word from a Zipf-like tail: a few are fairly common, most appear once or twice."""
    rank = min(int(rng.paretovariate(0.8)), TAIL_WORDS)
    syllables = []
    while True:
        rank, digit = divmod(rank, len(SYLLABLES))
        syllables.append(SYLLABLES[digit])
        if not rank:
            return "".join(syllables) + "x"


class Command(BaseCommand):
    help = "Time similar-idea suggestions over synthetic ideas in a scratch database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ideas", type=int, default=100_000)
        parser.add_argument("--queries", type=int, default=300)
        parser.add_argument(
            "--file",
            type=Path,
            default=settings.BASE_DIR.parent / "shared" / "data" / "duplicates-dev.jsonl",
            help="JSONL of real reports: the vocabulary, and the titles typed.",
        )
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, ideas: int, queries: int, file: Path, seed: int, **options) -> None:
        if ideas < 1 or queries < 1:
            raise CommandError("--ideas and --queries must be at least 1.")
        reports = read_reports(file)
        rng = random.Random(seed)
        titles = Vocabulary(Counter(w for r in reports for w in TOKEN.findall(r.title)))
        bodies = Vocabulary(Counter(w for r in reports for w in TOKEN.findall(r.body)))
        asked = rng.sample(reports, min(queries, len(reports)))

        with scratch_database("lode_bench"):
            started = time.perf_counter()
            self.fill(ideas, titles, bodies, rng)
            self.stdout.write(f"{ideas:,} ideas written in {time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            from ideas import similarity

            similarity.refresh_stats(full=True)
            with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
                cursor.execute("VACUUM ANALYZE ideas_idea")
            self.stdout.write(
                f"Lexeme statistics (full refresh) and ANALYZE: "
                f"{time.perf_counter() - started:.1f} s"
            )
            self.time_lookups(asked, rng)
            self.compare_with_exhaustive(asked[:100])
            self.explain(asked[0].title)

    def fill(self, count: int, titles: Vocabulary, bodies: Vocabulary, rng: random.Random) -> None:
        """Write `count` ideas in batches, through one INSERT … SELECT FROM unnest() each."""
        from ideas.models import Idea

        # Every other column as a new idea would have it, so the insert follows the model.
        template = Idea(title="x")
        connection = connections[DEFAULT_DB_ALIAS]
        fixed = [
            f
            for f in Idea._meta.concrete_fields
            if not f.primary_key
            and not f.generated
            and f.attname not in {"title", "body", "slug", "visibility"}
        ]
        fixed_values = [f.get_db_prep_save(f.pre_save(template, True), connection) for f in fixed]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fixed)
        placeholders = ", ".join(["%s"] * len(fixed))
        sql = (
            f"INSERT INTO ideas_idea (title, body, slug, visibility, {columns}) "  # noqa: S608 - model column names
            f"SELECT t, b, s, v, {placeholders} "
            "FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[]) AS u(t, b, s, v)"
        )
        for start in range(0, count, BATCH):
            rows = [self.idea_text(titles, bodies, rng) for _ in range(min(BATCH, count - start))]
            title_list = [title for title, _ in rows]
            slugs = [re.sub(r"[^a-z0-9]+", "-", t.lower())[:80].strip("-") for t in title_list]
            with connection.cursor() as cursor:
                cursor.execute(
                    sql,
                    [
                        *fixed_values,
                        title_list,
                        [body for _, body in rows],
                        slugs,
                        ["internal" if rng.random() < 0.1 else "public" for _ in rows],
                    ],
                )
            progress("writing ideas", start + len(rows), count)
        with connection.cursor() as cursor:
            # Every 20th idea merged into its predecessor.
            cursor.execute(
                "UPDATE ideas_idea SET merged_into_id = id - 1, merged_at = now() "
                "WHERE mod(id, 20) = 0 AND id > (SELECT min(id) FROM ideas_idea)"
            )

    @staticmethod
    def idea_text(titles: Vocabulary, bodies: Vocabulary, rng: random.Random) -> tuple[str, str]:
        def words(vocabulary: Vocabulary, n: int) -> Iterator[str]:
            for word in vocabulary.draw(rng, n):
                yield made_up_word(rng) if rng.random() < RARE_SHARE else word

        title = " ".join(words(titles, rng.randint(3, 12)))[:140] or "idea"
        body = " ".join(words(bodies, min(300, int(rng.lognormvariate(3.8, 0.9)))))[:2000]
        return title, body

    def time_lookups(self, asked: list, rng: random.Random) -> None:
        """p50/p95/p99 of queries.similar_ideas, as the forum and capture page call it."""
        from ideas import queries

        def cut(title: str) -> str:
            # Typed so far: stopped somewhere inside a word past the first few characters.
            spots = [m.start() + 2 for m in re.finditer(r"\w{4,}", title) if m.start() > 8]
            return title[: rng.choice(spots)] if spots else title

        kinds = {
            "title (whole)": [r.title for r in asked],
            "title (mid-word)": [cut(r.title) for r in asked],
            "title + body": [f"{r.title}\n{r.body}" for r in asked],
        }
        for text in kinds["title (whole)"][:20]:  # Warm the caches first.
            queries.similar_ideas(text, user=None)
        self.stdout.write(f"\n{'similar_ideas(), visitor':<26}{'p50':>9}{'p95':>9}{'p99':>9}")
        for name, texts in kinds.items():
            seconds = []
            for text in texts:
                started = time.perf_counter()
                queries.similar_ideas(text, user=None, limit=5)
                seconds.append(time.perf_counter() - started)
            seconds.sort()
            p = {q: seconds[min(len(seconds) - 1, int(q / 100 * len(seconds)))] for q in (95, 99)}
            self.stdout.write(
                f"{name:<26}{statistics.median(seconds) * 1000:>7.1f}ms"
                f"{p[95] * 1000:>7.1f}ms{p[99] * 1000:>7.1f}ms  ({len(texts)} queries)"
            )

    def compare_with_exhaustive(self, asked: list) -> None:
        """How much the candidate budget changes the answers, at this size."""
        from ideas import similarity
        from ideas.models import Idea

        same = total = 0
        for report in asked:
            base = Idea.objects.visible_to(None).listed()
            quick = {i.pk for i in similarity.similar(report.title, ideas=base, limit=5)}
            full = {
                i.pk for i in similarity.similar(report.title, ideas=base, limit=5, budget=None)
            }
            same += len(quick & full)
            total += len(full)
        self.stdout.write(
            f"\nBudgeted vs exhaustive scoring, titles: {same / max(total, 1):.1%} of the "
            f"exhaustive top 5 found ({len(asked)} queries)"
        )

    def explain(self, title: str) -> None:
        """The plan of one title's ranking query, to show the GIN index at work."""
        from ideas import similarity
        from ideas.models import Idea

        ranking = similarity.ranking_sql(title, ideas=Idea.objects.visible_to(None).listed())
        if ranking is None:
            return
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {ranking.sql}", ranking.params)
            plan = [line for (line,) in cursor.fetchall()]
        self.stdout.write(f"\nEXPLAIN (ANALYZE, BUFFERS) of the ranking query for {title!r}")
        self.stdout.write("(the score expression is elided):")
        for line in plan:
            # The BM25 expression repeats once per lexeme; it would fill screens.
            self.stdout.write(re.sub(r"(Sort Key|Output): .{200,}", r"\1: <BM25 score> …", line))
