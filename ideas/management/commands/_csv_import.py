"""What `import_accounts` and `import_ideas` share: options, the progress bar, the report."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ideas import importers
from portal.models import User

BAR_WIDTH = 30
# Exit codes: 1 when some rows failed (the others were imported), 2 when the file was refused.
ROWS_FAILED, FILE_REFUSED = 1, 2


class ImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser: ArgumentParser) -> None:
        fields = ", ".join(importers.IMPORTERS[self.kind].fields)
        parser.add_argument("file", help="The CSV file (UTF-8), or - to read standard input.")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD,…",
            help=f'Which column holds which field, e.g. "Account Name=name". Fields: {fields}. '
            "Columns named like a field (any case) need no mapping.",
        )
        parser.add_argument(
            "--delimiter", help="The column separator (default: detected from the header)."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check every row and report what would happen, then save nothing.",
        )

    def get_user(self, options: dict[str, Any]) -> User | None:
        return None

    def handle(self, *args: Any, **options: Any) -> None:
        data = self.read(options["file"])
        importer = importers.importer_for(self.kind, user=self.get_user(options))
        try:
            report = importer.run(
                data,
                mapping=importers.parse_mapping(options["map"]),
                delimiter=self.delimiter(options["delimiter"]),
                dry_run=options["dry_run"],
                progress=self.progress,
            )
        except importers.ImportFileError as error:
            raise CommandError(str(error), returncode=FILE_REFUSED) from None
        self.print_report(report, verbosity=options["verbosity"])
        if not report.ok:
            rows = len(report.failed_rows)
            raise CommandError(
                f"{rows} row{'s' if rows != 1 else ''} could not be imported; see above.",
                returncode=ROWS_FAILED,
            )

    @staticmethod
    def delimiter(value: str | None) -> str | None:
        if value in (None, ""):
            return None
        return "\t" if value in ("\\t", "tab") else value

    @staticmethod
    def read(path: str) -> bytes:
        if path == "-":
            return sys.stdin.buffer.read()
        try:
            return Path(path).read_bytes()
        except OSError as error:
            raise CommandError(
                f"Cannot read {path}: {error.strerror}.", returncode=FILE_REFUSED
            ) from None

    def progress(self, done: int, total: int) -> None:
        """A one-line bar on stderr, redrawn only when the percentage moves."""
        percent = 100 * done // total if total else 100
        if done not in (1, total) and percent == getattr(self, "_percent", None):
            return
        self._percent = percent
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        bar = "#" * filled + " " * (BAR_WIDTH - filled)
        self.stderr.write(f"\r[{bar}] {percent:3d}% {done}/{total}", ending="")
        if done == total:
            self.stderr.write("")
        self.stderr.flush()

    def print_report(self, report: importers.ImportReport, *, verbosity: int) -> None:
        if report.ignored_columns:
            self.stdout.write(f"Ignored columns: {', '.join(report.ignored_columns)}")
        if verbosity >= 2:
            for outcome in report.outcomes:
                detail = f" ({outcome.detail})" if outcome.detail else ""
                self.stdout.write(f"row {outcome.row}: {outcome.action} {outcome.label}{detail}")
        for error in report.errors:
            self.stdout.write(self.style.ERROR(str(error)))
        style = self.style.SUCCESS if report.ok else self.style.WARNING
        self.stdout.write(style(report.summary()))
