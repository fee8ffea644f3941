"""The interactive API docs run under the site's strict Content-Security-Policy."""

import json
import urllib.request

import pytest
from rest_framework.authtoken.models import Token

from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_swagger_ui_without_csp_violations(page, screenshot):
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    response = page.goto("/api/docs/")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # Swagger UI fetched the schema and drew every endpoint group.
    page.get_by_text("Lode API").first.wait_for()
    page.locator(".opblock-tag", has_text="ideas").first.wait_for()
    assert page.locator(".opblock").count() >= 14
    page.wait_for_load_state("networkidle")
    screenshot(page, "api-docs")
    assert violations == []
    assert page.js_errors == []


def test_sales_rep_makes_a_token_from_the_menu_and_uses_it(page, live_server, screenshot):
    rep = factories.SalesFactory(email="sam@lode.example")
    factories.InternalIdeaFactory(title="Secret pricing overhaul")

    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("sam@lode.example")
    page.locator("#id_password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()

    page.get_by_role("button", name=rep.display_name).click()  # the user menu
    page.get_by_role("link", name="API token").click()
    page.get_by_text("You have no API token").wait_for()
    page.get_by_role("button", name="Create a token").click()
    key = page.get_by_label("API token").input_value()
    assert key == Token.objects.get(user=rep).key
    screenshot(page, "api-token")

    request = urllib.request.Request(
        f"{live_server.url}/api/v1/ideas/", headers={"Authorization": f"Token {key}"}
    )
    with urllib.request.urlopen(request) as response:
        titles = [row["title"] for row in json.load(response)["results"]]
    assert titles == ["Secret pricing overhaul"]

    page.goto("/account/api-token/")
    assert key not in page.content()  # shown once only
    page.get_by_role("button", name="Revoke").click()
    page.get_by_text("revoked").wait_for()
    assert page.js_errors == []
