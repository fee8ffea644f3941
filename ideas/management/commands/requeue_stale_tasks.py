import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


class Command(BaseCommand):
    help = (
        "Put back in the queue the jobs whose worker died while running them (still "
        "'running' long after they started). Their tasks are idempotent, so running them "
        "again has their effect once. Run it from cron, or before starting workers."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--older-than",
            type=float,
            default=15,
            help="Minutes a job may run before it counts as abandoned (default 15).",
        )

    def handle(self, *args, older_than: float, **options) -> None:
        cutoff = timezone.now() - dt.timedelta(minutes=older_than)
        count = DBTaskResult.objects.filter(status="RUNNING", started_at__lt=cutoff).update(
            status="READY", started_at=None
        )
        self.stdout.write(f"Requeued {count} abandoned job{'s' if count != 1 else ''}.")
