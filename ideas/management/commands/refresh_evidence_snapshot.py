"""`manage.py refresh_evidence_snapshot`: recount the evidence the board ranks by.

A large installation's board reads a materialised snapshot of every idea's evidence, which
the worker refreshes when it gets old (ideas/evidence.py). Run this from cron as well, so the
board is fresh even when nobody has opened it for a while, or after a bulk import.
"""

from django.core.management.base import BaseCommand

from ideas import evidence


class Command(BaseCommand):
    help = "Recompute the evidence snapshot the board of a large installation ranks by."

    def handle(self, *args, **options) -> None:
        seconds = evidence.refresh_snapshot()
        mode = evidence.board_source()
        used = "ranks by it" if mode == evidence.SNAPSHOT else "ranks by the live view for now"
        self.stdout.write(f"Evidence snapshot refreshed in {seconds:.1f} s (the board {used}).")
