import os

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start the embedded PostgreSQL (a no-op when DATABASE_URL points elsewhere)."

    requires_system_checks = []

    def handle(self, *args, **options) -> None:
        # Loading settings already started it; this command reports where it runs.
        db = settings.DATABASES["default"]
        if not os.environ.get("DATABASE_URL"):
            self.stdout.write(f"Embedded PostgreSQL is running (socket in {db['HOST']}).")
        else:
            self.stdout.write(
                f"Using PostgreSQL at {db.get('HOST') or 'localhost'} (DATABASE_URL)."
            )
