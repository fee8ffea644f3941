"""Security headers on every kind of response: CSP with a nonce, HSTS, cookies, caching,
and `check --deploy` with production settings."""

import re
import secrets

import pytest
from django.http import HttpResponse
from django.template import RequestContext, Template
from django.test import override_settings
from django.urls import path, reverse

from portal import urls as portal_urls
from tests import factories
from tests.test_settings import ROOT

pytestmark = pytest.mark.django_db


def boom(request):
    raise RuntimeError("boom")


def inline(request):
    # What a template needing an inline script would do.
    return HttpResponse(
        Template('<script nonce="{{ csp_nonce }}">1</script>').render(RequestContext(request))
    )


urlpatterns = [path("boom/", boom), path("inline/", inline), *portal_urls.urlpatterns]


def csp_of(response) -> str:
    return response.headers["Content-Security-Policy"]


def assert_strict_csp(response) -> str:
    policy = csp_of(response)
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy
    assert "object-src 'none'" in policy
    return policy


def test_pages_carry_a_strict_csp(client):
    assert_strict_csp(client.get(reverse("ideas:list")))


@override_settings(ROOT_URLCONF=__name__)
def test_an_inline_script_gets_a_fresh_nonce_per_response(client):
    nonces = []
    for _ in range(2):
        response = client.get("/inline/")
        policy = assert_strict_csp(response)
        nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", policy).group(1)
        assert f'nonce="{nonce}"' in response.text
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_a_404_carries_the_csp(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert_strict_csp(response)


@override_settings(ROOT_URLCONF=__name__)
def test_a_500_carries_the_csp(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert_strict_csp(response)


def test_the_admin_login_and_index_carry_the_csp(client_for, admin_user):
    assert_strict_csp(client_for(admin_user).get(reverse("admin:index")))
    client_for(admin_user).logout()
    # The admin's log-in is allauth's page (shared brute-force limits).
    response = client_for(admin_user).get(reverse("admin:login"))
    assert response.status_code in {200, 302}


def test_the_anonymous_admin_login_goes_through_allauth(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert_strict_csp(client.get(reverse("account_login")))


def test_the_api_docs_carry_the_csp(client):
    assert_strict_csp(client.get(reverse("api_docs")))


def test_basic_hardening_headers(client):
    response = client.get(reverse("ideas:list"))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "Cross-Origin-Opener-Policy" in response


@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True)
def test_hsts_is_sent_over_https(client):
    response = client.get(reverse("ideas:list"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_session_and_csrf_cookies_are_httponly_and_samesite(client, customer):
    response = client.post(
        reverse("account_login"), {"login": customer.email, "password": factories.PASSWORD}
    )
    session = response.cookies["sessionid"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    page = client.get(reverse("ideas:new"))
    assert page.cookies.get("csrftoken") is None or page.cookies["csrftoken"]["samesite"] == "Lax"


# Cache-Control: no-store wherever private or revenue data can appear.


@pytest.mark.parametrize(
    "name",
    [
        "ideas:capture",
        "ideas:my_signals",
        "ideas:accounts",
        "ideas:triage",
        "ideas:board",
        "ideas:insights",
        "ideas:notifications",
        "ideas:list",
        "account_data",
        "api_token",
    ],
)
def test_private_pages_are_never_stored(client_for, pm, name):
    response = client_for(pm).get(reverse(name))
    assert response.status_code == 200, name
    assert "no-store" in response["Cache-Control"]


def test_an_idea_page_with_evidence_is_never_stored(client_for, sales):
    idea = factories.IdeaFactory()
    response = client_for(sales).get(idea.get_absolute_url())
    assert "no-store" in response["Cache-Control"]


def test_api_responses_with_evidence_are_never_stored(client_for, pm):
    factories.IdeaFactory()
    response = client_for(pm).get("/api/v1/ideas/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_visitors_public_list_stays_cacheable(client):
    response = client.get(reverse("ideas:list"))
    assert "no-store" not in response.get("Cache-Control", "")


def test_the_login_page_is_never_stored(client):
    assert "no-store" in client.get(reverse("account_login"))["Cache-Control"]


# Production settings pass Django's deployment checks.


def test_check_deploy_passes_with_production_settings():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def production_env() -> dict:
    import os

    env = {
        key: value
        for key, value in os.environ.items()
        # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright; production never does.
        if key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        and not key.startswith("SECURE_")
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="ideas.example.com",
        EMAIL_HOST="smtp.example.com",
        LODE_DOTENV="/nonexistent/.env",
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    env.pop("PYTEST_CURRENT_TEST", None)
    return env


def test_production_defaults_redirect_to_https_and_send_hsts():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
        "s.LODE_MFA_REQUIRED)"
    )
    import subprocess
    import sys

    env = production_env()
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.stdout.strip() == "True 31536000 True True", out.stderr
