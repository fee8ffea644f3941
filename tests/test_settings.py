"""Settings come from the environment, and production refuses to start unsafe."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env: str) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter, with this environment and no local .env."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "LODE_CURRENCY", "ALLOWED_HOSTS"}
    }
    environment.update(env)
    environment["LODE_DOTENV"] = "/nonexistent/.env"
    environment["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DEBUG, settings.LODE_CURRENCY, settings.ALLOWED_HOSTS)"
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_mode_refuses_to_start_without_secret_key():
    result = load_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_asked():
    result = load_settings(SECRET_KEY="s" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("False USD []")


def test_settings_read_the_environment():
    result = load_settings(
        SECRET_KEY="s" * 50, DEBUG="true", LODE_CURRENCY="eur", ALLOWED_HOSTS="ideas.example.com"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True EUR ['ideas.example.com']"


def test_a_malformed_boolean_is_a_clear_error():
    result = load_settings(SECRET_KEY="s" * 50, DEBUG="perhaps")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_a_malformed_currency_is_a_clear_error():
    result = load_settings(SECRET_KEY="s" * 50, LODE_CURRENCY="dollars")
    assert result.returncode != 0
    assert "LODE_CURRENCY must be a three-letter" in result.stderr
