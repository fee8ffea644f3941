from django.core.management.base import BaseCommand

from ideas import notifications, tasks


class Command(BaseCommand):
    help = (
        "Queue the daily email digest for everyone who chose it and has unsent "
        "notifications. Run it once a day (cron or a systemd timer); the worker sends them."
    )

    def handle(self, *args, **options) -> None:
        count = 0
        for user_id in notifications.users_due_a_digest().values_list("pk", flat=True):
            tasks.send_daily_digest.enqueue(user_id)
            count += 1
        self.stdout.write(f"Queued {count} digest{'s' if count != 1 else ''}.")
