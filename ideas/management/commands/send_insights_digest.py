"""`manage.py send_insights_digest`: queue this week's insights digest for every active PM and
admin. Run it weekly (cron or a systemd timer, see docs/insights.md); the worker sends them.

Safe to run more than once a week: each person gets one digest per week, whoever sends it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ideas import insights, tasks


class Command(BaseCommand):
    help = "Queue the weekly insights digest for every active product manager and admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--week",
            help="Any day of the week to send for, as YYYY-MM-DD (default: this week).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = timezone.localdate()
        if options["week"]:
            try:
                day = dt.date.fromisoformat(options["week"])
            except ValueError:
                raise CommandError("--week must be a date like 2026-11-23.") from None
        week = insights.week_of(day)
        count = 0
        for user_id in insights.digest_recipients().values_list("pk", flat=True):
            tasks.send_insights_digest.enqueue(user_id=user_id, week=week.isoformat())
            count += 1
        self.stdout.write(
            f"Queued the insights digest for {count} "
            f"{'person' if count == 1 else 'people'}, week of {week:%-d %b %Y}."
        )
