"""`manage.py seed_demo`: runs once, stays consistent, and its dates tell a story."""

import datetime as dt
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from ideas.choices import ActivityKind, Status, Visibility
from ideas.models import Account, Comment, Idea, Signal, StatusChange, Subscription, Vote
from portal.models import Role, User

LOGINS = {
    Role.ADMIN: "admin@lode.example",
    Role.PM: "pm@lode.example",
    Role.SALES: "sales@lode.example",
    Role.STAFF: "staff@lode.example",
    Role.CUSTOMER: "customer@acme.example",
}
MODELS = (User, Account, Idea, Vote, Comment, Signal, StatusChange, Subscription)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture(scope="module")
def seeded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """Seed twice, once for the whole module; rolled back afterwards like any test data."""
    with django_db_blocker.unblock(), transaction.atomic():
        first, second = StringIO(), StringIO()
        call_command("seed_demo", stdout=first)
        after_first = row_counts()
        call_command("seed_demo", stdout=second)
        yield {
            "first": first.getvalue(),
            "second": second.getvalue(),
            "after_first": after_first,
            "after_second": row_counts(),
        }
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_second_run_changes_nothing(seeded: dict[str, Any]) -> None:
    assert seeded["after_first"]["Idea"] > 100
    assert seeded["after_second"] == seeded["after_first"]
    assert "Demo data already loaded." in seeded["second"]
    assert "Demo data already loaded." not in seeded["first"]
    for output in (seeded["first"], seeded["second"]):
        for email in LOGINS.values():
            assert email in output
        assert "lode-demo" in output


@pytest.mark.django_db
def test_one_log_in_per_role_signs_in_with_the_demo_password(seeded: dict[str, Any]) -> None:
    for role, email in LOGINS.items():
        user = authenticate(email=email, password="lode-demo")
        assert user is not None, email
        assert user.role == role
        assert user.name
    admin = User.objects.get(email=LOGINS[Role.ADMIN])
    assert admin.is_staff and admin.is_superuser
    assert User.objects.get(email=LOGINS[Role.PM]).is_staff
    customer = User.objects.get(email=LOGINS[Role.CUSTOMER])
    assert customer.account.domain == "acme.example"
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)


@pytest.mark.django_db
def test_demo_log_ins_work_on_the_site_log_in_page(seeded: dict[str, Any], client) -> None:
    # Verification is mandatory: a demo user without a verified address would be sent to
    # "confirm your email" instead of being logged in.
    for email in LOGINS.values():
        response = client.post(reverse("account_login"), {"login": email, "password": "lode-demo"})
        assert response.status_code == 302, email
        assert response["Location"] == reverse("ideas:list"), email
        client.post(reverse("account_logout"))


@pytest.mark.django_db
def test_counters_equal_the_rows(seeded: dict[str, Any]) -> None:
    ideas = Idea.objects.annotate(
        votes_n=Count("votes", distinct=True),
        public_comments_n=Count("comments", filter=Q(comments__is_internal=False), distinct=True),
    )
    assert not ideas.exclude(vote_count=F("votes_n")).exists()
    assert not ideas.exclude(comment_count=F("public_comments_n")).exists()
    # The counters are not trivially zero: the data has votes and both kinds of comment.
    assert Vote.objects.count() > 300
    assert Comment.objects.filter(is_internal=False).count() > 200
    assert Comment.objects.filter(is_internal=True).exists()


@pytest.mark.django_db
def test_every_status_is_present_and_some_ideas_are_internal(seeded: dict[str, Any]) -> None:
    assert set(Idea.objects.values_list("status", flat=True)) == set(Status.values)
    internal = Idea.objects.filter(visibility=Visibility.INTERNAL).count()
    assert 0.08 < internal / Idea.objects.count() < 0.25
    assert Idea.objects.filter(merged_into__isnull=False).count() >= 2


@pytest.mark.django_db
def test_decisions_have_a_history_and_an_answer(seeded: dict[str, Any]) -> None:
    decided = Idea.objects.filter(status__in=[Status.PLANNED, Status.SHIPPED, Status.DECLINED])
    assert not decided.filter(public_response="").exists()
    for idea in decided:
        last = idea.status_changes.filter(kind=ActivityKind.STATUS).last()
        assert last.to_status == idea.status
        assert last.created_at == idea.status_changed_at
        assert last.created_at > idea.created_at
        assert set(last.evidence) >= {"votes", "accounts", "arr"}
    merges = StatusChange.objects.filter(kind=ActivityKind.MERGE)
    assert {m.data["into"] for m in merges} == set(
        Idea.objects.filter(merged_into__isnull=False).values_list("merged_into", flat=True)
    )


@pytest.mark.django_db
def test_signals_have_uneven_momentum(seeded: dict[str, Any]) -> None:
    today = timezone.localdate()

    def days_ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    assert Signal.objects.filter(heard_on__gt=days_ago(90)).exists()
    assert Signal.objects.filter(heard_on__lte=days_ago(180), heard_on__gt=days_ago(365)).exists()

    def heard(newest: int, oldest: int) -> Count:
        window = Q(signals__heard_on__gt=days_ago(oldest), signals__heard_on__lte=days_ago(newest))
        return Count("signals", filter=window)

    momentum = Idea.objects.annotate(
        recent=heard(0, 90), before=heard(90, 180), long_ago=heard(180, 365)
    )
    rising = momentum.filter(recent__gte=5, recent__gt=F("before") * 2)
    cooling = momentum.filter(long_ago__gte=5, recent__lte=1)
    assert rising.exists()
    assert cooling.exists()


@pytest.mark.django_db
def test_signals_are_mostly_routed_and_carry_the_account_snapshot(seeded: dict[str, Any]) -> None:
    signals = Signal.objects.all()
    unrouted = signals.filter(idea__isnull=True)
    assert 0.1 < unrouted.count() / signals.count() < 0.3
    assert unrouted.exclude(proposed_title="").exists()
    assert not signals.filter(idea__isnull=False, routed_at__isnull=True).exists()
    with_account = signals.filter(account__isnull=False)
    assert not with_account.filter(account_segment="").exists()
    assert not with_account.exclude(account_segment=F("account__segment")).exists()
