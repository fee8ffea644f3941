"""`manage.py import_ideas FILE.csv`: post ideas from another portal or a spreadsheet."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from ideas.management.commands._csv_import import FILE_REFUSED, ImportCommand
from portal.models import User


class Command(ImportCommand):
    help = (
        "Import ideas from a CSV file, posted as if their authors had. An idea whose title "
        "(and author, when the file has an author column) is already in Lode is left as it "
        "is, so importing the same file again creates nothing. "
        "Exit code 1 when some rows failed, 2 when the file was refused."
    )
    kind = "ideas"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--user",
            metavar="EMAIL",
            help="Author of rows without one, and who status changes are recorded as.",
        )

    def get_user(self, options: dict[str, Any]) -> User | None:
        if not options.get("user"):
            return None
        user = User.objects.filter(email__iexact=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(
                f"No active Lode user has the email {options['user']}.", returncode=FILE_REFUSED
            )
        return user
