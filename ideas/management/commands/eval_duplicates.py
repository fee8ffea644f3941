"""Measure duplicate detection on labelled reports: recall@k of the similar-idea ranking.

    manage.py eval_duplicates [--file PATH] [--k 1,5,10] [--exhaustive]

Loads the JSONL file (id, title, body, duplicate_of) as ideas into a scratch database on the
same PostgreSQL server, created for the run and dropped after it, so the real data is never
touched. Each labelled duplicate is then looked up by `ideas.similarity.similar`, the code
behind `queries.similar_ideas`, against all the other items: a hit at k when another item of
its duplicate cluster (the report it duplicates, and the other reports duplicating that one)
is among the first k. See docs/duplicates.md.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

# TF-IDF cosine, from the data set's README (title only; title + body), for k = 1, 5, 10.
BASELINE = {"title only": (0.48, 0.67, 0.74), "title + body": (0.65, 0.88, 0.91)}
BASELINE_KS = (1, 5, 10)
TITLE_MAX = 140  # Idea.title's length


@dataclass
class Report:
    """One item of the file, and the other items of its duplicate cluster."""

    key: str
    title: str
    body: str
    duplicate_of: str | None
    pk: int = 0
    cluster: set[str] = field(default_factory=set)


@dataclass
class Result:
    """Hits and timings for one kind of query."""

    name: str
    hits: dict[int, int]
    strict_hits: dict[int, int]
    seconds: list[float]


@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """A new, migrated database on the same server as the default connection's, which the
    default connection uses until the block ends; then it is dropped and the connection is
    pointed back. Django's own test-database machinery does the work."""
    connection = connections[DEFAULT_DB_ALIAS]
    real_name = connection.settings_dict["NAME"]
    test_settings = connection.settings_dict.setdefault("TEST", {})
    saved = dict(test_settings)
    test_settings["NAME"] = f"{prefix}_{os.getpid()}"
    try:
        # createcachetable reports on stdout whatever the verbosity.
        with redirect_stdout(io.StringIO()):
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        yield test_settings["NAME"]
    finally:
        # Pointed at the scratch database once it exists, even if migrating it failed.
        if connection.settings_dict["NAME"] != real_name:
            connection.creation.destroy_test_db(real_name, verbosity=0)
        test_settings.clear()
        test_settings.update(saved)


def progress(label: str, done: int, total: int, *, width: int = 30) -> None:
    """A one-line textual progress bar on stderr, redrawn in place (drawn once, complete,
    when stderr is not a terminal)."""
    if done < total and not sys.stderr.isatty():
        return
    filled = width * done // max(total, 1)
    bar = "#" * filled + "-" * (width - filled)
    sys.stderr.write(f"\r{label:<22} [{bar}] {done}/{total}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def read_reports(path: Path) -> list[Report]:
    """The file's reports, with each labelled duplicate's cluster resolved."""
    if not path.is_file():
        raise CommandError(f"No such file: {path}")
    reports = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                reports.append(
                    Report(
                        key=str(row["id"]),
                        title=(row.get("title") or "").strip(),
                        body=row.get("body") or "",
                        duplicate_of=row.get("duplicate_of"),
                    )
                )
            except (ValueError, KeyError) as exc:
                raise CommandError(f"{path}:{number}: not a report ({exc})") from exc
    keys = {report.key for report in reports}
    # The data set resolves each cluster to one canonical report that the others point at.
    members: dict[str, set[str]] = {}
    for report in reports:
        if report.duplicate_of in keys:
            members.setdefault(report.duplicate_of, {report.duplicate_of}).add(report.key)
    for report in reports:
        if report.duplicate_of in keys:
            report.cluster = members[report.duplicate_of] - {report.key}
    return reports


class Command(BaseCommand):
    help = "Print recall@k of similar-idea ranking on labelled duplicates (scratch database)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file",
            type=Path,
            default=settings.BASE_DIR.parent / "shared" / "data" / "duplicates-dev.jsonl",
            help="JSONL with id, title, body, duplicate_of (default: the shared dev set).",
        )
        parser.add_argument("--k", default="1,5,10", help="Cut-offs, comma separated.")
        parser.add_argument(
            "--exhaustive",
            action="store_true",
            help="Score every idea sharing a word, without the candidate budget.",
        )

    def handle(self, *args, file: Path, k: str, exhaustive: bool, **options) -> None:
        try:
            ks = sorted({int(value) for value in k.split(",") if value.strip()})
        except ValueError:
            raise CommandError("--k takes whole numbers, like 1,5,10") from None
        if not ks or ks[0] < 1:
            raise CommandError("--k takes whole numbers of at least 1, like 1,5,10")
        reports = read_reports(file)
        queries = [report for report in reports if report.cluster]
        if not queries:
            raise CommandError(f"{file} has no duplicate_of links between its reports.")

        with scratch_database("lode_eval"):
            self.load(reports)
            kinds = {
                "title only": lambda r: {"title": r.title},
                "title + body": lambda r: {"title": r.title, "body": r.body},
                # How the capture page asks today: everything as one text.
                "title + body, 1 text": lambda r: {"title": f"{r.title}\n{r.body}"},
            }
            results = [self.run(name, ask, queries, ks, exhaustive) for name, ask in kinds.items()]
        self.print_table(file, reports, queries, ks, results)

    def load(self, reports: list[Report]) -> None:
        """The reports as public ideas, and the lexeme statistics over them."""
        from ideas import similarity
        from ideas.models import Idea

        ideas = Idea.objects.bulk_create(
            [
                Idea(title=(report.title or report.key)[:TITLE_MAX], body=report.body)
                for report in reports
            ],
            batch_size=500,
        )
        for report, idea in zip(reports, ideas, strict=True):
            report.pk = idea.pk
        self.key_by_pk = {report.pk: report.key for report in reports}
        similarity.refresh_stats(full=True)
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("ANALYZE ideas_idea")

    def run(
        self,
        name: str,
        ask: Callable[[Report], dict],
        queries: list[Report],
        ks: list[int],
        exhaustive: bool,
    ) -> Result:
        """Look every labelled duplicate up against all the other items."""
        from ideas import similarity
        from ideas.models import Idea

        result = Result(name, dict.fromkeys(ks, 0), dict.fromkeys(ks, 0), [])
        options = {"budget": None} if exhaustive else {}
        for done, report in enumerate(queries, 1):
            # The base queryset similar_ideas() gives a visitor, less the item itself.
            ideas = Idea.objects.visible_to(None).listed().exclude(pk=report.pk)
            started = time.perf_counter()
            found = similarity.similar(**ask(report), ideas=ideas, limit=ks[-1], **options)
            result.seconds.append(time.perf_counter() - started)
            ranked = [self.key_by_pk[idea.pk] for idea in found]
            for k in ks:
                result.hits[k] += bool(report.cluster & set(ranked[:k]))
                result.strict_hits[k] += report.duplicate_of in ranked[:k]
            progress(name, done, len(queries))
        return result

    def print_table(
        self,
        path: Path,
        reports: list[Report],
        queries: list[Report],
        ks: list[int],
        results: list[Result],
    ) -> None:
        n = len(queries)
        write = self.stdout.write
        write(
            f"\n{path.name}: {len(reports)} items, {n} labelled duplicates, each queried "
            f"against the other {len(reports) - 1}.\nA hit at k: another item of its duplicate "
            "cluster is among the first k (strict: the very report it names).\n"
        )
        show_baseline = ks == list(BASELINE_KS)
        triple = len(" / ".join(["0.00"] * len(ks))) + 3
        header = f"{'query':<22}" + "".join(f"{'recall@' + str(k):>10}" for k in ks)
        header += f"{'strict':>{triple}}"
        if show_baseline:
            header += f"{'TF-IDF baseline':>{triple}}"
        header += f"{'median':>10}{'p95':>9}"
        write(header)
        for result in results:
            line = f"{result.name:<22}" + "".join(f"{result.hits[k] / n:>10.2f}" for k in ks)
            strict = " / ".join(f"{result.strict_hits[k] / n:.2f}" for k in ks)
            line += f"{strict:>{triple}}"
            if show_baseline:
                baseline = BASELINE.get(result.name.split(",")[0])
                shown = " / ".join(f"{v:.2f}" for v in baseline) if baseline else ""
                line += f"{shown:>{triple}}"
            times = sorted(result.seconds)
            p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
            line += f"{statistics.median(times) * 1000:>8.1f}ms{p95 * 1000:>7.1f}ms"
            write(line)
