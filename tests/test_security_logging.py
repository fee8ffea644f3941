"""Logs: every 500 with its request id, security events with actor and IP, CR/LF escaped,
no email of a stranger and no revenue figure in any line."""

import logging

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from ideas import services
from portal.logging import OneLineFormatter, RequestIdFilter, escape
from tests import factories
from tests.test_capture import capture_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def security_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "lode.security"]


def formatted(caplog) -> list[str]:
    formatter = OneLineFormatter("%(levelname)s %(name)s request_id=%(request_id)s %(message)s")
    id_filter = RequestIdFilter()
    lines = []
    for record in caplog.records:
        id_filter.filter(record)
        lines.append(formatter.format(record))
    return lines


def test_every_response_has_a_request_id(client):
    response = client.get(reverse("ideas:list"))
    assert len(response["X-Request-ID"]) == 32


def test_a_sane_incoming_request_id_is_kept_and_a_hostile_one_replaced(client):
    kept = client.get(reverse("ideas:list"), HTTP_X_REQUEST_ID="lb-1234abcd")
    assert kept["X-Request-ID"] == "lb-1234abcd"
    replaced = client.get(reverse("ideas:list"), HTTP_X_REQUEST_ID="x\r\nevil: 1 and more")
    assert replaced["X-Request-ID"] != "x\r\nevil: 1 and more"
    assert len(replaced["X-Request-ID"]) == 32


@override_settings(ROOT_URLCONF="tests.test_security_headers")
def test_a_500_is_logged_at_error_with_the_request_id(client, caplog):
    client.raise_request_exception = False
    with caplog.at_level(logging.INFO):
        response = client.get("/boom/", HTTP_X_REQUEST_ID="req-500-abcdef")
    assert response.status_code == 500
    errors = [r for r in caplog.records if r.name == "django.request" and r.levelname == "ERROR"]
    assert errors
    assert errors[0].request_id == "req-500-abcdef"
    line = formatted(caplog)[caplog.records.index(errors[0])]
    assert "request_id=req-500-abcdef" in line
    assert "RuntimeError: boom" in line
    assert "\n" not in line


def test_a_log_in_failure_logs_ip_and_a_fingerprint_not_the_address(client, caplog):
    with caplog.at_level(logging.INFO, logger="lode.security"):
        client.post(
            reverse("account_login"),
            {"login": "stranger@globex.example", "password": "hunter2"},
            REMOTE_ADDR="203.0.113.9",
        )
    [line] = [line for line in security_lines(caplog) if "login_failed" in line]
    assert "ip=203.0.113.9" in line
    assert "@globex.example" in line
    assert "stranger" not in line
    assert "hunter2" not in line


def test_a_customer_probing_an_internal_idea_is_logged(client_for, customer, caplog):
    idea = factories.InternalIdeaFactory()
    with caplog.at_level(logging.INFO, logger="lode.security"):
        response = client_for(customer).get(idea.get_absolute_url())
    assert response.status_code == 404
    [line] = security_lines(caplog)
    assert "event=private_not_found" in line
    assert f"actor={customer.pk}" in line
    assert f"target=idea:{idea.pk}" in line
    assert "ip=127.0.0.1" in line


def test_a_customer_on_a_staff_page_is_logged(client_for, customer, caplog):
    with caplog.at_level(logging.INFO, logger="lode.security"):
        assert client_for(customer).get(reverse("ideas:triage")).status_code == 404
    assert any("target=view:queue" in line for line in security_lines(caplog))


@override_settings(LODE_RATE_LIMITS={"comment": "1/h"})
def test_a_429_is_logged(client_for, customer, caplog):
    idea = factories.IdeaFactory()
    client = client_for(customer)
    with caplog.at_level(logging.INFO, logger="lode.security"):
        client.post(reverse("ideas:comment", args=[idea.pk]), {"body": "First"})
        response = client.post(reverse("ideas:comment", args=[idea.pk]), {"body": "Second"})
    assert response.status_code == 429
    assert any(
        "event=rate_limited" in line and "action=comment" in line
        for line in security_lines(caplog)
    )


def test_a_capture_logs_ids_but_never_the_revenue_or_the_words(client_for, sales, caplog):
    account = factories.AccountFactory(name="Initech", arr=987654)
    with caplog.at_level(logging.DEBUG):
        response = client_for(sales).post(
            reverse("ideas:capture"),
            capture_data(account=account.pk, opportunity_value="123456.78"),
        )
    assert response.status_code == 302
    lines = formatted(caplog)
    assert any("event=signal_captured" in line and f"actor={sales.pk}" in line for line in lines)
    for line in lines:
        for secret in ("123456", "987654", "Okta", "Dana Lee"):
            assert secret not in line


def test_decisions_and_merges_are_logged_with_actor_and_target(pm, caplog):
    idea, other = factories.IdeaFactory(), factories.IdeaFactory()
    with caplog.at_level(logging.INFO, logger="lode.security"):
        services.idea_set_status(idea=idea, actor=pm, status="planned")
        services.idea_merge(source=other, target=idea, actor=pm)
    lines = security_lines(caplog)
    assert any(f"event=status_decision actor={pm.pk} target=idea:{idea.pk}" in x for x in lines)
    assert any(f"event=idea_merged actor={pm.pk} target=idea:{idea.pk}" in x for x in lines)


def test_cr_and_lf_from_a_path_are_escaped(client, caplog):
    idea = factories.InternalIdeaFactory()
    with caplog.at_level(logging.INFO, logger="lode.security"):
        client.get(f"/ideas/{idea.pk}-x%0d%0aevent=forged/")
    lines = formatted(caplog)
    assert lines
    assert all("\n" not in line and "\r" not in line for line in lines)
    assert any("\\r\\nevent=forged" in line for line in lines)


def test_escape_makes_injected_lines_visible():
    assert escape("Bob\r\nlevel=ERROR fake") == "Bob\\r\\nlevel=ERROR fake"
