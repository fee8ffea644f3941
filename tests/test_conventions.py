"""Project hygiene that CI would otherwise only catch by accident."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_migrations_are_committed_for_every_model_change():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:
        pytest.fail(f"Missing migrations (exit {exc.code}):\n{out.getvalue()}")


@pytest.mark.django_db
def test_system_checks_pass():
    call_command("check", fail_level="WARNING")
