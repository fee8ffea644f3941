"""Measure the fan-out of one status change: how many emails, and how long the worker takes.

    manage.py bench_notifications --followers 1000

Runs in a scratch database (created and dropped here), with emails kept in memory.
"""

import time

from django.core import mail
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from ideas.management.commands.eval_duplicates import scratch_database


class Command(BaseCommand):
    help = "Time the emails one status change sends to an idea's followers."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--followers", type=int, default=1000)

    def handle(self, *args, followers: int, **options) -> None:
        from ideas import services
        from ideas.models import Idea, Notification, Subscription
        from portal.models import User

        locmem = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
        with scratch_database("lode_bench_notify"), override_settings(MAILERS=locmem):
            mail.outbox = []
            pm = User.objects.create_user("pm@bench.example", role="pm")
            idea = Idea.objects.create(title="Benchmark idea with many followers")
            people = User.objects.bulk_create(
                User(email=f"follower{n}@bench.example") for n in range(followers)
            )
            Subscription.objects.bulk_create(
                Subscription(user=user, idea=idea, reason="voter") for user in people
            )
            started = time.perf_counter()
            services.idea_set_status(
                idea=idea, actor=pm, status="planned", explanation="On the roadmap for Q3."
            )
            queued = time.perf_counter() - started
            # The on_commit hook enqueued jobs; run them as a worker would.
            started = time.perf_counter()
            call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
            worked = time.perf_counter() - started
            sent = len(mail.outbox)
            self.stdout.write(
                f"followers: {followers}\n"
                f"notifications: {Notification.objects.count()}\n"
                f"emails sent: {sent}\n"
                f"status change (incl. {Notification.objects.count()} notification rows): "
                f"{queued * 1000:.0f} ms\n"
                f"worker: {worked:.2f} s ({sent / worked:.0f} emails/s)"
            )
