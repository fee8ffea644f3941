"""`manage.py export_ideas`: ideas with their evidence and score as CSV."""

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ideas import importers
from ideas.choices import Status


class Command(BaseCommand):
    help = (
        "Export ideas with their evidence (voters, accounts, ARR, pipeline, revenue at risk, "
        "deal-breakers, momentum, score and its parts) as CSV, safe to open in a spreadsheet."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--status",
            action="append",
            default=[],
            metavar="STATUS[,STATUS]",
            help=f"Only ideas in these statuses ({', '.join(Status.values)}). Default: all.",
        )
        parser.add_argument("--output", "-o", help="Write to this file (default: stdout).")
        parser.add_argument(
            "--base-url",
            default=getattr(settings, "LODE_BASE_URL", ""),
            help="Start of the idea links (default: LODE_BASE_URL).",
        )
        parser.add_argument(
            "--include-merged", action="store_true", help="Also export ideas merged into others."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        statuses = [s.strip() for item in options["status"] for s in item.split(",") if s.strip()]
        unknown = [status for status in statuses if status not in Status.values]
        if unknown:
            raise CommandError(
                f"Unknown status {', '.join(unknown)}: use {', '.join(Status.values)}."
            )
        kwargs = {
            "statuses": statuses,
            "base_url": options["base_url"],
            "include_merged": options["include_merged"],
        }
        if options["output"]:
            try:
                with Path(options["output"]).open("w", newline="", encoding="utf-8") as out:
                    count = importers.export_ideas(out, **kwargs)
            except OSError as error:
                message = f"Cannot write {options['output']}: {error.strerror}."
                raise CommandError(message) from None
            self.stderr.write(f"Exported {count} ideas to {options['output']}.")
        else:
            count = importers.export_ideas(self.stdout, **kwargs)
            sys.stdout.flush()
