import os

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Stop the embedded PostgreSQL cleanly (a no-op when DATABASE_URL is set)."

    requires_system_checks = []

    def handle(self, *args, **options) -> None:
        if os.environ.get("DATABASE_URL"):
            self.stdout.write("DATABASE_URL is set: no embedded database to stop.")
            return
        from django.db import connections

        from portal import embedded_db

        connections.close_all()
        if embedded_db.stop():
            self.stdout.write("Embedded PostgreSQL stopped.")
        else:
            self.stdout.write("Embedded PostgreSQL was not running.")
