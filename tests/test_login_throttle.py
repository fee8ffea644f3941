"""Log-in brute force: failures are limited per account and per client IP (allauth's
ACCOUNT_RATE_LIMITS), and the admin logs in through the same page."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
REFUSED = "Too many failed login attempts"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def log_in(client, email, password, ip="203.0.113.7"):
    return client.post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=ip)


def test_limits_are_set_explicitly():
    assert settings.ACCOUNT_RATE_LIMITS["login_failed"] == "10/m/ip,5/5m/key"
    assert settings.ACCOUNT_RATE_LIMITS["login"] == "30/m/ip"


def test_five_failures_lock_the_account_even_against_the_right_password(client, customer):
    for n in range(5):
        # From changing addresses: the per-account limit does not depend on the IP.
        response = log_in(client, customer.email, "wrong guess", ip=f"198.51.100.{n}")
        assert REFUSED not in response.text
    response = log_in(client, customer.email, factories.PASSWORD, ip="198.51.100.99")
    assert REFUSED in response.text
    assert "_auth_user_id" not in client.session


def test_another_account_is_not_locked_by_those_failures(client, customer, other_customer):
    for _ in range(5):
        log_in(client, customer.email, "wrong guess")
    response = log_in(client, other_customer.email, factories.PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other_customer.pk)


def test_ten_failures_from_one_ip_lock_that_ip_out_of_every_account(client, customer):
    for n in range(10):
        log_in(client, f"guess{n}@acme.example", "wrong guess")
    response = log_in(client, customer.email, factories.PASSWORD)
    assert REFUSED in response.text
    assert "_auth_user_id" not in client.session
    # Another address still gets in.
    response = log_in(client, customer.email, factories.PASSWORD, ip="192.0.2.1")
    assert response.status_code == 302


def test_the_log_in_page_answers_429_past_its_ip_limit(client, customer):
    # Every POST counts here, failed or not: 30 a minute from one address.
    for _ in range(30):
        log_in(client, "nobody@example.org", "wrong guess", ip="203.0.113.50")
    response = log_in(client, customer.email, factories.PASSWORD, ip="203.0.113.50")
    assert response.status_code == 429


def test_the_admin_log_in_goes_through_the_throttled_page(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
