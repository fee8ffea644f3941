"""Two-factor authentication (allauth.mfa, TOTP): required for PMs and admins when
LODE_MFA_REQUIRED is on (production's default), and asked at every log-in once set up."""

import time

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

ACTIVATE = reverse("mfa_activate_totp")


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def logged_in(client, user):
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    # Setting up an authenticator asks for the password once more, as allauth does.
    client.post(reverse("account_reauthenticate"), {"password": factories.PASSWORD})
    return client


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@override_settings(LODE_MFA_REQUIRED=True)
@pytest.mark.parametrize("persona", ["pm", "admin_user"])
def test_pms_and_admins_must_set_up_a_second_factor_first(client, persona, request):
    client = logged_in(client, request.getfixturevalue(persona))
    response = client.get(reverse("ideas:triage"))
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE
    page = client.get(ACTIVATE)
    assert page.status_code == 200
    assert "data:image/svg+xml" in page.text  # the QR code, allowed by img-src data:
    assert "unsafe-inline" not in page["Content-Security-Policy"]
    api = client.get("/api/v1/ideas/")
    assert api.status_code == 403


@override_settings(LODE_MFA_REQUIRED=True)
@pytest.mark.parametrize("persona", ["customer", "sales", "staff"])
def test_other_roles_are_not_forced(client_for, persona, request):
    response = client_for(request.getfixturevalue(persona)).get(reverse("ideas:list"))
    assert response.status_code == 200


@override_settings(LODE_MFA_REQUIRED=True)
def test_activating_totp_lets_the_pm_in(client, pm):
    client = logged_in(client, pm)
    client.get(ACTIVATE)
    secret = client.session["mfa.totp.secret"]
    response = client.post(ACTIVATE, {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("ideas:triage")).status_code == 200


def test_a_pm_with_totp_is_asked_for_a_code_at_log_in(client, pm):
    secret = generate_totp_secret()
    TOTP.activate(pm, secret)
    response = client.post(
        reverse("account_login"), {"login": pm.email, "password": factories.PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "_auth_user_id" not in client.session
    assert wrong.status_code == 200
    client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert client.session["_auth_user_id"] == str(pm.pk)


def test_required_by_default_in_production_only():
    assert settings.LODE_MFA_REQUIRED is False  # tests; see test_security_headers for prod
    assert set(settings.LODE_MFA_REQUIRED_ROLES) == {"pm", "admin"}
