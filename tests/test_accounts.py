"""Accounts through django-allauth: sign-up with mandatory verification, log-in, passwords.

Also the domain rule: a customer who verifies an address at an Account's domain joins it.
"""

import re

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from ideas.services import user_link_account
from portal.allauth import emails_mark_verified
from portal.models import Role, User
from tests import factories

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a fresh and long passphrase 42"
LINK = re.compile(r"https?://testserver(/accounts/\S+/)")


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # allauth counts attempts (log-in failures, resets, sign-ups) in the cache, which would
    # otherwise carry over from one test to the next and make them depend on their order.
    cache.clear()
    yield
    cache.clear()


def sign_up(client: Client, email: str, name: str = "", password: str = NEW_PASSWORD):
    return client.post(
        reverse("account_signup"),
        {"email": email, "name": name, "password1": password, "password2": password},
    )


def link_in(mail) -> str:
    """The path of the one link to Lode in an email."""
    (path,) = LINK.findall(mail.body)
    return path


def verify_by_mail(client: Client, mail) -> None:
    """Follow the verification link the way a person does: open it, press Confirm."""
    path = link_in(mail)
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302


def main_text(response) -> str:
    """The page's <main> with tags and whitespace stripped (the rest holds per-request tokens)."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def logged_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


# Sign-up and verification


def test_sign_up_sends_a_verification_link_and_following_it_verifies(client, mailoutbox):
    response = sign_up(client, "dora@example.org", name="Dora Explorer")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="dora@example.org")
    assert not EmailAddress.objects.get(user=user).verified
    (mail,) = mailoutbox
    assert mail.to == ["dora@example.org"]
    assert mail.subject.startswith("[Lode] ")
    assert link_in(mail).startswith("/accounts/confirm-email/")

    # Not logged in until the address is verified.
    assert logged_in_user_id(client) is None
    assert client.get(reverse("account_email")).status_code == 302

    verify_by_mail(client, mail)

    assert EmailAddress.objects.get(user=user).verified


def test_an_unverified_user_cannot_log_in(client, mailoutbox):
    sign_up(client, "dora@example.org")
    fresh = Client()

    response = fresh.post(
        reverse("account_login"), {"login": "dora@example.org", "password": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert logged_in_user_id(fresh) is None


def test_a_verified_user_can_log_in(client, mailoutbox):
    sign_up(client, "dora@example.org")
    verify_by_mail(client, mailoutbox[0])
    fresh = Client()

    response = fresh.post(
        reverse("account_login"), {"login": "dora@example.org", "password": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert logged_in_user_id(fresh) == str(User.objects.get(email="dora@example.org").pk)


def test_confirming_needs_a_post_not_just_opening_the_link(client, mailoutbox):
    sign_up(client, "dora@example.org")

    client.get(link_in(mailoutbox[0]))

    assert not EmailAddress.objects.get(email="dora@example.org").verified


def test_sign_up_keeps_the_name_and_makes_a_customer(client, mailoutbox):
    sign_up(client, "dora@example.org", name="  Dora   Explorer ")

    user = User.objects.get(email="dora@example.org")
    assert user.name == "Dora Explorer"
    assert user.role == Role.CUSTOMER
    assert user.account is None


def test_the_name_is_optional(client, mailoutbox):
    sign_up(client, "dora@example.org")

    assert User.objects.get(email="dora@example.org").name == ""


def test_sign_up_with_mismatched_passwords_shows_the_error(client, mailoutbox):
    response = client.post(
        reverse("account_signup"),
        {"email": "dora@example.org", "password1": NEW_PASSWORD, "password2": "something else"},
    )

    assert response.status_code == 200
    assert "You must type the same password each time." in response.text
    assert "is-invalid" in response.text
    assert not User.objects.filter(email="dora@example.org").exists()
    assert mailoutbox == []


def test_sign_up_with_a_registered_email_answers_like_a_new_sign_up(customer, mailoutbox):
    taken, new = Client(), Client()

    taken_response = sign_up(taken, customer.email.upper(), name="Someone Else")
    new_response = sign_up(new, "nobody@acme.example", name="Someone Else")

    assert taken_response.status_code == new_response.status_code == 302
    assert taken_response["Location"] == new_response["Location"]
    # The pages differ only in echoing the address each person typed.
    taken_page = main_text(taken.get(taken_response["Location"]))
    new_page = main_text(new.get(new_response["Location"]))
    assert taken_page.replace(customer.email, "ADDRESS") == new_page.replace(
        "nobody@acme.example", "ADDRESS"
    )
    assert User.objects.filter(email__iexact=customer.email).count() == 1
    # Each address gets one mail: the stranger's tells the owner someone tried to sign up.
    assert sorted(mail.to[0] for mail in mailoutbox) == [customer.email, "nobody@acme.example"]


# The domain rule


def test_a_verified_sign_up_at_an_account_domain_joins_that_account(client, mailoutbox):
    acme = factories.AccountFactory(name="Acme Corp", domain="acme.example")
    sign_up(client, "dora@acme.example")
    user = User.objects.get(email="dora@acme.example")
    assert user.account is None  # Not before the address is verified.

    verify_by_mail(client, mailoutbox[0])

    user.refresh_from_db()
    assert user.account == acme


def test_a_verified_sign_up_at_an_unknown_domain_joins_no_account(client, mailoutbox):
    factories.AccountFactory(domain="acme.example")
    sign_up(client, "dora@elsewhere.example")

    verify_by_mail(client, mailoutbox[0])

    assert User.objects.get(email="dora@elsewhere.example").account is None


def test_a_subdomain_is_not_the_account_domain(client, mailoutbox):
    factories.AccountFactory(domain="acme.example")
    sign_up(client, "dora@eu.acme.example")

    verify_by_mail(client, mailoutbox[0])

    assert User.objects.get(email="dora@eu.acme.example").account is None


def test_account_domains_match_whatever_their_case():
    acme = factories.AccountFactory(domain="Acme.Example")
    user = factories.UserFactory(email="dora@acme.example")

    assert user_link_account(user=user) == acme

    user.refresh_from_db()
    assert user.account == acme


@pytest.mark.parametrize("persona", [factories.StaffFactory, factories.SalesFactory])
def test_company_people_are_never_linked_to_a_customer_account(persona):
    factories.AccountFactory(domain="acme.example")
    user = persona(email="stella@acme.example")

    assert user_link_account(user=user) is None

    user.refresh_from_db()
    assert user.account is None


def test_an_unverified_address_does_not_link():
    factories.AccountFactory(domain="acme.example")
    user = factories.UserFactory(email="dora@acme.example", verified_email=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)

    assert user_link_account(user=user) is None


def test_a_linked_customer_stays_with_their_account(customer):
    factories.AccountFactory(domain="globex.example")
    EmailAddress.objects.create(user=customer, email="carol@globex.example", verified=True)

    assert user_link_account(user=customer) is None

    customer.refresh_from_db()
    assert customer.account.domain == "acme.example"


def test_the_primary_address_decides_between_two_account_domains():
    factories.AccountFactory(domain="globex.example")
    acme = factories.AccountFactory(domain="acme.example")
    user = factories.UserFactory(email="dora@acme.example")
    EmailAddress.objects.create(user=user, email="dora@globex.example", verified=True)

    assert user_link_account(user=user) == acme


def test_log_in_links_a_customer_whose_account_was_added_later(client):
    user = factories.UserFactory(email="dora@acme.example")
    acme = factories.AccountFactory(domain="acme.example")

    client.post(reverse("account_login"), {"login": user.email, "password": factories.PASSWORD})

    user.refresh_from_db()
    assert user.account == acme


def test_seeded_users_marked_verified_can_log_in(client):
    user = factories.PMFactory(email="pm@lode.example", verified_email=False)

    emails_mark_verified(users=[user])
    emails_mark_verified(users=[user])  # Running the seed twice is harmless.

    response = client.post(
        reverse("account_login"), {"login": "pm@lode.example", "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)


# Log-in and log-out


def test_log_in_page_has_the_fields_the_site_names():
    response = Client().get(reverse("account_login"))

    assert response.status_code == 200
    assert re.search(r'<label\s+for="id_login"[^>]*>\s*Email address', response.text)
    assert re.search(r'<label\s+for="id_password"[^>]*>\s*Password', response.text)
    assert re.search(r'<button type="submit"\s+class="btn btn-primary w-100"', response.text)
    assert reverse("account_reset_password") in response.text
    assert reverse("account_signup") in response.text


def test_log_in_returns_to_next(client, customer):
    response = client.post(
        reverse("account_login") + "?next=/some/path/",
        {"login": customer.email, "password": factories.PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == "/some/path/"
    assert logged_in_user_id(client) == str(customer.pk)


def test_log_in_refuses_a_next_on_another_site(client, customer):
    response = client.post(
        reverse("account_login") + "?next=https://evil.example/",
        {"login": customer.email, "password": factories.PASSWORD},
    )

    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_log_in_with_a_wrong_password_shows_an_error_and_no_session(client, customer):
    response = client.post(
        reverse("account_login"), {"login": customer.email, "password": "not my password"}
    )

    assert response.status_code == 200
    assert "alert-danger" in response.text
    assert "The email address and/or password you specified are not correct." in response.text
    assert logged_in_user_id(client) is None


def test_the_nav_offers_log_in_to_visitors_and_settings_to_users(client, customer):
    visitor_page = client.get("/").text
    assert f'href="{reverse("account_login")}?next=/"' in visitor_page
    assert reverse("account_signup") in visitor_page

    client.force_login(customer)
    user_page = client.get("/").text
    assert f'action="{reverse("account_logout")}"' in user_page
    assert f'href="{reverse("account_change_password")}">Account settings</a>' in user_page


def test_log_out_needs_a_post(client_for, customer):
    client = client_for(customer)

    response = client.get(reverse("account_logout"))

    assert response.status_code == 200
    assert logged_in_user_id(client) == str(customer.pk)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert logged_in_user_id(client) is None


# Passwords


def test_password_reset_answers_alike_for_known_and_unknown_addresses(customer, mailoutbox):
    known, unknown = Client(), Client()
    url = reverse("account_reset_password")

    known_response = known.post(url, {"email": customer.email}, follow=True)
    unknown_response = unknown.post(url, {"email": "nobody@acme.example"}, follow=True)

    assert known_response.status_code == unknown_response.status_code == 200
    assert known_response.redirect_chain == unknown_response.redirect_chain
    assert main_text(known_response) == main_text(unknown_response)
    (mail,) = mailoutbox
    assert mail.to == [customer.email]
    assert "/accounts/password/reset/key/" in mail.body


def test_password_reset_link_sets_a_new_password(client, customer, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": customer.email})
    form_page = client.get(link_in(mailoutbox[0]), follow=True)
    assert form_page.status_code == 200

    response = client.post(
        form_page.request["PATH_INFO"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_from_key_done")
    customer.refresh_from_db()
    assert customer.check_password(NEW_PASSWORD)


def test_password_change_works_for_a_logged_in_user(client_for, customer):
    client = client_for(customer)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": factories.PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.check_password(NEW_PASSWORD)
    assert logged_in_user_id(client) == str(customer.pk)  # Still logged in.


def test_password_change_refuses_a_wrong_old_password(client_for, customer):
    client = client_for(customer)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "not my password", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "invalid-feedback" in response.text
    customer.refresh_from_db()
    assert customer.check_password(factories.PASSWORD)


def test_password_change_is_for_logged_in_users_only(client):
    response = client.get(reverse("account_change_password"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# Every page looks like the site and keeps to its Content-Security-Policy


def reset_key_path(client: Client, user: User, mailoutbox) -> str:
    client.post(reverse("account_reset_password"), {"email": user.email})
    return link_in(mailoutbox[-1])


def confirm_email_path(client: Client, user: User, mailoutbox) -> str:
    address = EmailAddress.objects.create(user=user, email="second@example.org")
    return reverse("account_confirm_email", args=[EmailConfirmationHMAC(address).key])


def password_set_path(client: Client, user: User, mailoutbox) -> str:
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return reverse("account_set_password")


PAGES = {
    # name: (log in first?, the URL or a function that makes one)
    "login": (False, reverse("account_login")),
    "signup": (False, reverse("account_signup")),
    "verification sent": (False, reverse("account_email_verification_sent")),
    "confirm email": (False, confirm_email_path),
    "password reset": (False, reverse("account_reset_password")),
    "password reset done": (False, reverse("account_reset_password_done")),
    "password reset from key": (False, reset_key_path),
    "password reset from key done": (False, reverse("account_reset_password_from_key_done")),
    "account inactive": (False, reverse("account_inactive")),
    "password change": (True, reverse("account_change_password")),
    "password set": (True, password_set_path),
    "email management": (True, reverse("account_email")),
    "logout": (True, reverse("account_logout")),
    "reauthenticate": (True, reverse("account_reauthenticate")),
}


@pytest.mark.parametrize("page", PAGES)
def test_account_page_looks_like_the_site_and_keeps_to_the_csp(page, client, customer, mailoutbox):
    logged_in, url = PAGES[page]
    if logged_in:
        client.force_login(customer)
    if callable(url):
        url = url(client, customer, mailoutbox)

    response = client.get(url, follow=True)

    assert response.status_code == 200
    html = response.text
    assert 'class="navbar' in html  # Extends the site's base.html.
    assert 'class="card card-body' in html
    assert re.search(r"<h1 class=\"h4 mb-3\">\s*\S", html)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert "style=" not in html
    assert "Sign In" not in html  # The site says "Log in".
