"""`manage.py refresh_insights`: queue a recomputation of the insights for the preset periods
(last 30, 90 and 365 days, unfiltered) so the page reads them from the cache. Run it every
five minutes (cron or a systemd timer, see docs/insights.md); the worker computes them.
`--now` computes them in this process instead, without a worker.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ideas import insights, tasks


class Command(BaseCommand):
    help = "Queue (or with --now, compute) the insights for the preset periods."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Compute here instead of queueing for the worker."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for query in insights.preset_queries():
            if options["now"]:
                started = time.monotonic()
                insights.refresh(query)
                self.stdout.write(
                    f"Computed the last {query.period.days} days "
                    f"in {time.monotonic() - started:.1f} s."
                )
            else:
                tasks.refresh_insights.enqueue(**insights.task_arguments(query))
                self.stdout.write(f"Queued the last {query.period.days} days.")
