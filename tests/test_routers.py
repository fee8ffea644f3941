"""The optional read replica (portal/routers.py): insights reads, and only them, go there.

The `replica` alias here points at the same test database as `default`, the way a streaming
replica holds the same data; the test is transactional so both connections see the rows.
"""

import contextlib
import warnings

import pytest
from django.db import connections, router
from django.db.utils import load_backend

from ideas.models import Idea, Signal
from portal import routers
from portal.models import User
from tests import factories


@contextlib.contextmanager
def replica_alias(settings):
    """A second alias on the same database, as DATABASE_REPLICA_URL would add: a connection
    made here, after pytest-django's set-up, which the router finds in settings.DATABASES."""
    settings_dict = {**connections["default"].settings_dict}
    connection = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "replica")
    connections[routers.REPLICA] = connection
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Overriding setting DATABASES": only the router reads it
        settings.DATABASES = {**settings.DATABASES, routers.REPLICA: settings_dict}
    try:
        yield connection
    finally:
        connection.close()
        del connections[routers.REPLICA]


@pytest.fixture
def replica(settings):
    with replica_alias(settings) as connection:
        yield connection


def test_without_a_replica_everything_stays_on_default():
    with routers.replica_reads():
        assert router.db_for_read(Idea) == "default"
        assert routers.read_alias() == "default"


def test_inside_replica_reads_only_the_ideas_app_reads_from_the_replica(replica):
    assert router.db_for_read(Idea) == "default"
    with routers.replica_reads():
        assert router.db_for_read(Idea) == "replica"
        assert router.db_for_read(Signal) == "replica"
        assert routers.read_alias() == "replica"
        # Users and sessions always from the primary: a lagging replica logs no one out.
        assert router.db_for_read(User) == "default"
        assert router.db_for_write(Idea) == "default"
    assert router.db_for_read(Idea) == "default"
    assert router.allow_migrate("replica", "ideas") is False
    assert router.allow_migrate("default", "ideas") is True


@pytest.mark.django_db(transaction=True)
def test_the_insights_page_reads_from_the_replica(settings, client_for):
    pm = factories.PMFactory(email="priya@lode.example")
    factories.SignalFactory(idea=factories.IdeaFactory())
    used = []

    def record(execute, sql, params, many, context):
        used.append(context["connection"].alias)
        return execute(sql, params, many, context)

    with (
        replica_alias(settings) as replica,
        connections["default"].execute_wrapper(record),
        replica.execute_wrapper(record),
    ):
        response = client_for(pm).get("/insights/")
    assert response.status_code == 200
    assert "replica" in used
    # The session and the signed-in user still came from the primary.
    assert "default" in used
