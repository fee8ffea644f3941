"""Background work through Django's Tasks API (django-tasks-db: jobs are rows in PostgreSQL,
`manage.py db_worker` runs them).

Tasks are enqueued on transaction commit and are idempotent: a job retried after a crash
checks what it already did (e.g. `Notification.emailed_at`) before doing it again.
"""
