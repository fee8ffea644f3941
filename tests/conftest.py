"""Personas shared by every test module: one per role, plus a customer of another account."""

import pytest

from tests import factories


def pytest_collection_modifyitems(config, items):
    """Tests that stop the database server run last, so a failure there cannot take the
    database away from the rest of the suite."""
    items.sort(key=lambda item: item.get_closest_marker("faults") is not None)


@pytest.fixture
def account():
    return factories.AccountFactory(name="Acme Corp", domain="acme.example")


@pytest.fixture
def customer(account):
    return factories.CustomerFactory(account=account, email="carol@acme.example")


@pytest.fixture
def other_customer():
    return factories.CustomerFactory(email="olga@globex.example")


@pytest.fixture
def sales():
    return factories.SalesFactory(email="sam@lode.example")


@pytest.fixture
def staff():
    return factories.StaffFactory(email="stella@lode.example")


@pytest.fixture
def pm():
    return factories.PMFactory(email="priya@lode.example")


@pytest.fixture
def admin_user():
    return factories.AdminFactory(email="ada@lode.example")


@pytest.fixture
def client_for(client):
    """Log the test client in as a persona: `client_for(pm).get(...)`."""

    def login(user):
        client.force_login(user)
        return client

    return login
