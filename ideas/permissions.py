"""Who may see or do what. Views, the API, search, exports and emails all ask here."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from ideas.models import Account, Idea, Visibility
from portal.logging import security_event
from portal.models import INTERNAL_ROLES, User


def can_view_idea(user: User | AnonymousUser, idea: Idea) -> bool:
    """Company people see every idea; everyone else sees public ones only."""
    if idea.visibility == Visibility.PUBLIC:
        return True
    return user.is_authenticated and user.is_internal


def can_triage(user: User | AnonymousUser) -> bool:
    """Product managers and admins run the review queue."""
    return user.is_authenticated and user.is_pm


def can_see_evidence(user: User | AnonymousUser) -> bool:
    """Revenue, accounts and signals are for the company's people only."""
    return user.is_authenticated and user.is_internal


def get_idea_for_user(request: HttpRequest, pk: int) -> Idea:
    """The idea, or 404 when it does not exist or this user may not see it."""
    ideas = Idea.objects.select_related("category", "author").defer("search_vector")
    idea = get_object_or_404(ideas, pk=pk)
    if not can_view_idea(request.user, idea):
        security_event("private_not_found", request, target=f"idea:{idea.pk}")
        raise Http404("No such idea.")
    return idea


def can_capture(user: User | AnonymousUser) -> bool:
    """Sales reps and other company people record signals from the field."""
    return user.is_authenticated and user.is_internal


def can_view_insights(user: User | AnonymousUser) -> bool:
    """Trends and revenue reports: PMs, staff and admins."""
    return user.is_authenticated and user.is_active and user.role in {"pm", "staff", "admin"}


def can_see_internal_notes(user: User | AnonymousUser) -> bool:
    """Private notes and private timeline entries are for the company's people."""
    return user.is_authenticated and user.is_internal


def require_role(predicate: Callable[[User | AnonymousUser], bool]) -> Callable:
    """View decorator: a 404 for anyone the predicate refuses, so the page's existence
    is not revealed to customers and visitors."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if not predicate(request.user):
                security_event("private_not_found", request, target=f"view:{view.__name__}")
                raise Http404("No such page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def get_account_for_user(request: HttpRequest, pk: int) -> Account:
    """An account's page, for the company's people only; 404 for everyone else."""
    if not can_see_evidence(request.user):
        security_event("private_not_found", request, target=f"account:{pk}")
        raise Http404("No such account.")
    return get_object_or_404(Account.objects.select_related("owner"), pk=pk)


def users_who_can_view(idea: Idea, users: QuerySet[User]) -> QuerySet[User]:
    """Narrow `users` to those who may see `idea`: the queryset twin of can_view_idea."""
    users = users.filter(is_active=True)
    if idea.visibility == Visibility.PUBLIC:
        return users
    return users.filter(role__in=[role.value for role in INTERNAL_ROLES])
