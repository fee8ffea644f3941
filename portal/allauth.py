"""Lode's allauth adapter: the name from the sign-up form, and account links by email domain."""

from collections.abc import Iterable
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse

from ideas.services import user_link_account
from portal.logging import email_fingerprint, security_event
from portal.models import User


class AccountAdapter(DefaultAccountAdapter):
    """Hooks Lode's rules into allauth's flows, instead of signals (see STYLE.md)."""

    def format_email_subject(self, subject: str) -> str:
        # allauth would prefix the request's host name; Lode's emails carry the site's name.
        return f"[{settings.LODE_SITE_NAME}] {subject}"

    def save_user(
        self, request: HttpRequest, user: User, form: BaseForm, commit: bool = True
    ) -> User:
        user.name = form.cleaned_data.get("name", "")
        return super().save_user(request, user, form, commit=commit)

    def confirm_email(self, request: HttpRequest, email_address: EmailAddress) -> bool:
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            user_link_account(user=email_address.user)
        return confirmed

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        # Never the address itself: a typo of someone's password is often typed as the email.
        security_event(
            "login_failed", request, account=email_fingerprint(credentials.get("email", ""))
        )

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            security_event(
                "login_throttled",
                request,
                account=email_fingerprint(credentials.get("email", "")),
            )
            raise

    def post_login(self, request: HttpRequest, user: User, **kwargs: Any) -> HttpResponse:
        # Catches customers verified before their company's Account (or its domain) existed;
        # costs no query for anyone already linked or not a customer.
        user_link_account(user=user)
        return super().post_login(request, user, **kwargs)


def emails_mark_verified(*, users: Iterable[User]) -> None:
    """Record each user's own email as verified and primary, e.g. for seeded demo users.

    Mandatory verification would otherwise send them to "verify your email" at log-in.
    """
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user=user, email=user.email.lower(), verified=True, primary=True)
            for user in users
        ],
        ignore_conflicts=True,
    )
