"""Sequences for the anonymous and triage cache generations (ideas/cache.py): bumping one
is a nextval(), with no lock and no wait for the disk."""

from django.db import migrations

SEQUENCES = ("lode_generation_anon", "lode_generation_triage")


class Migration(migrations.Migration):
    dependencies = [("ideas", "0014_triage_covering_indexes")]

    operations = [
        migrations.RunSQL(
            [f"CREATE SEQUENCE IF NOT EXISTS {name}" for name in SEQUENCES],
            [f"DROP SEQUENCE IF EXISTS {name}" for name in SEQUENCES],
        )
    ]
