"""DRF permission classes over the shared predicates in ideas/permissions.py.

Unauthenticated requests get 401, authenticated people without the role get 403; objects a
person may not see are 404, decided by the same fetch helpers as the pages.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from ideas import permissions
from portal.models import User


def can_upsert_accounts(user: User | AnonymousUser) -> bool:
    """PMs and admins, or a company person given the `ideas.add_account` and
    `ideas.change_account` permissions (a CRM sync's service user)."""
    if permissions.can_triage(user):
        return True
    return (
        user.is_authenticated
        and user.is_internal
        and user.has_perms(["ideas.add_account", "ideas.change_account"])
    )


class CanCapture(BasePermission):
    message = "Only the company's people can capture and read signals."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return permissions.can_capture(request.user)


class CanUpsertAccountsOrReadEvidence(BasePermission):
    """Reading accounts: company people. Writing them: see can_upsert_accounts."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            self.message = "Only the company's people can read accounts."
            return permissions.can_see_evidence(request.user)
        self.message = "Only product managers, admins and CRM integrations can change accounts."
        return can_upsert_accounts(request.user)
