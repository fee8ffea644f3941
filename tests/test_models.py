"""The database itself refuses data that breaks Lode's rules, whatever code writes it."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from ideas.models import Account, Idea, Signal, Vote
from portal.models import User
from tests import factories

pytestmark = pytest.mark.django_db


def refused(callable_) -> bool:
    try:
        with transaction.atomic():
            callable_()
    except IntegrityError:
        return True
    return False


def test_duplicate_vote_is_refused_by_the_database():
    vote = factories.VoteFactory()
    assert refused(lambda: Vote.objects.create(user=vote.user, idea=vote.idea))
    assert Vote.objects.filter(idea=vote.idea).count() == 1


def test_two_people_may_vote_for_the_same_idea():
    idea = factories.IdeaFactory()
    factories.VoteFactory(idea=idea)
    factories.VoteFactory(idea=idea)
    assert idea.votes.count() == 2


def test_negative_arr_is_refused():
    account = factories.AccountFactory()
    assert refused(lambda: Account.objects.filter(pk=account.pk).update(arr=Decimal("-1")))


def test_negative_opportunity_value_is_refused():
    assert refused(lambda: factories.SignalFactory(opportunity_value=Decimal("-0.01")))


def test_zero_and_empty_money_are_allowed():
    signal = factories.SignalFactory(opportunity_value=None)
    factories.SignalFactory(opportunity_value=Decimal("0"), account=signal.account)
    assert Signal.objects.count() == 2


@pytest.mark.parametrize(
    ("model_factory", "field", "bad_value"),
    [
        (factories.IdeaFactory, "status", "maybe"),
        (factories.IdeaFactory, "visibility", "secret"),
        (factories.IdeaFactory, "source", "twitter"),
        (factories.SignalFactory, "kind", "gossip"),
        (factories.SignalFactory, "source", "pigeon"),
        (factories.SignalFactory, "importance", "urgent!!"),
        (factories.SignalFactory, "deal_stage", "closing"),
        (factories.AccountFactory, "segment", "space"),
        (factories.AccountFactory, "lifecycle", "zombie"),
        (factories.UserFactory, "role", "overlord"),
        (factories.SubscriptionFactory, "reason", "curiosity"),
        (factories.StatusChangeFactory, "to_status", "maybe"),
    ],
)
def test_invalid_choice_is_refused_by_the_database(model_factory, field, bad_value):
    row = model_factory()
    manager = type(row)._default_manager
    assert refused(lambda: manager.filter(pk=row.pk).update(**{field: bad_value}))


def test_negative_counter_is_refused():
    idea = factories.IdeaFactory()
    assert refused(lambda: Idea.objects.filter(pk=idea.pk).update(vote_count=-1))


def test_idea_cannot_be_merged_into_itself():
    idea = factories.IdeaFactory()
    assert refused(lambda: Idea.objects.filter(pk=idea.pk).update(merged_into=idea))


def test_effort_is_never_negative_and_fit_is_zero_to_five():
    idea = factories.IdeaFactory()
    assert refused(lambda: Idea.objects.filter(pk=idea.pk).update(effort=-1))
    assert refused(lambda: Idea.objects.filter(pk=idea.pk).update(strategic_fit=6))
    Idea.objects.filter(pk=idea.pk).update(effort=12.5, strategic_fit=0)


def test_email_is_unique_whatever_its_case():
    factories.UserFactory(email="Dana@Example.com")
    assert refused(lambda: User.objects.create(email="dana@example.COM"))


def test_create_user_lowercases_the_email():
    user = User.objects.create_user("Eve@Example.COM", password="x-very-long-pass")
    assert user.email == "eve@example.com"
    assert User.objects.get_by_natural_key("EVE@example.com") == user


def test_account_domain_is_unique_but_may_be_blank_many_times():
    factories.AccountFactory(domain="initech.example")
    assert refused(lambda: factories.AccountFactory(domain="initech.example"))
    factories.AccountFactory(domain="")
    factories.AccountFactory(domain="")


def test_one_subscription_per_person_and_idea():
    sub = factories.SubscriptionFactory()
    assert refused(lambda: factories.SubscriptionFactory(user=sub.user, idea=sub.idea))


def test_search_vector_is_kept_by_the_database():
    idea = factories.IdeaFactory(title="Export dashboards to PowerPoint", body="For the board.")
    assert Idea.objects.filter(search_vector="powerpoint").get() == idea
    Idea.objects.filter(pk=idea.pk).update(body="Quarterly spreadsheets")
    assert Idea.objects.filter(search_vector="spreadsheet").get() == idea


def test_slug_comes_from_the_title():
    idea = factories.IdeaFactory(title="Dark mode, please!")
    assert idea.slug == "dark-mode-please"
    assert idea.get_absolute_url() == f"/ideas/{idea.pk}-dark-mode-please/"
