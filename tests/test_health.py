"""Liveness (/healthz) and readiness (/readyz) probes for containers and load balancers."""

from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_is_503_when_the_database_does_not_answer(client):
    with mock.patch("portal.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_readyz_is_ok_when_every_migration_is_applied(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "migrations": "applied"}


def test_readyz_is_503_while_migrations_are_pending(client):
    pending = [(mock.sentinel.migration, False), (mock.sentinel.other, False)]
    with mock.patch(
        "django.db.migrations.executor.MigrationExecutor.migration_plan", return_value=pending
    ):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "unapplied_migrations": 2}


def test_readyz_is_503_when_the_database_does_not_answer(client):
    with mock.patch(
        "django.db.migrations.executor.MigrationExecutor.__init__",
        side_effect=OperationalError("down"),
    ):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}


def test_probes_answer_plain_http_even_with_https_redirects_on(client, settings):
    """The container's HEALTHCHECK talks to gunicorn directly, without TLS."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/").status_code == 301
