"""`manage.py backfill_sentiment`: score the comments and signals written before sentiment was
stored, or imported in bulk around the services. Safe to re-run: only unscored rows are read."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ideas import insights


class Command(BaseCommand):
    help = "Store the sentiment of every comment and signal that has none yet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=1000, help="Rows per transaction (default 1000)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        done = insights.backfill_sentiment(batch_size=max(1, options["batch_size"]))
        summary = ", ".join(f"{count} {name}" for name, count in done.items())
        self.stdout.write(f"Scored {summary}.")
