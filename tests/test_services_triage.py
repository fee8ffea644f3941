"""Decisions, merges and routing: the rules, and the races."""

from decimal import Decimal

import pytest
from django.db import connection

from ideas import services
from ideas.choices import ActivityKind, Status
from ideas.models import (
    Comment,
    Idea,
    IdeaEvidence,
    Notification,
    Signal,
    StatusChange,
    Subscription,
    Vote,
)
from tests import factories
from tests.test_services_vote import run_at_once

pytestmark = pytest.mark.django_db


# Status and decisions


def test_declining_needs_an_explanation(pm):
    idea = factories.IdeaFactory()
    with pytest.raises(services.ServiceError, match="Explain why"):
        services.idea_set_status(idea=idea, actor=pm, status=Status.DECLINED, explanation="  ")
    idea.refresh_from_db()
    assert idea.status == Status.NEW and not StatusChange.objects.exists()


def test_a_decision_freezes_the_evidence_and_score(pm):
    idea = factories.IdeaFactory(strategic_fit=4)
    factories.SignalFactory(idea=idea, importance="deal_breaker")
    factories.VoteFactory(idea=idea)
    before = IdeaEvidence.objects.get(idea=idea)
    change = services.idea_set_status(
        idea=idea, actor=pm, status=Status.PLANNED, explanation="Top ask from finance."
    )
    assert change.evidence["score"] == pytest.approx(before.score)
    assert change.evidence["deal_breakers"] == 1 and change.evidence["voters"] == 1
    assert change.evidence["weights"]["accounts"] == 2.0
    # Later evidence does not change what was known at the time.
    factories.VoteFactory.create_batch(3, idea=idea)
    change.refresh_from_db()
    assert change.evidence["voters"] == 1
    idea.refresh_from_db()
    assert idea.public_response == "Top ask from finance." and idea.public_response_by == pm


def test_non_decisions_record_no_evidence(pm):
    idea = factories.IdeaFactory()
    change = services.idea_set_status(idea=idea, actor=pm, status=Status.UNDER_REVIEW)
    assert change.evidence is None and change.from_status == "new"
    assert change.to_status == "under_review" and change.actor == pm


def test_status_change_notifies_followers_who_may_see_it(pm, customer, sales):
    idea = factories.InternalIdeaFactory()
    factories.SubscriptionFactory(idea=idea, user=customer)
    factories.SubscriptionFactory(idea=idea, user=sales)
    services.idea_set_status(idea=idea, actor=pm, status=Status.PLANNED)
    assert list(Notification.objects.values_list("recipient", flat=True)) == [sales.pk]


@pytest.mark.django_db(transaction=True)
def test_two_pms_changing_a_status_at_once_both_land_on_the_timeline(pm, admin_user):
    idea = factories.IdeaFactory()
    errors = run_at_once(
        [
            lambda: services.idea_set_status(idea=idea, actor=pm, status=Status.PLANNED),
            lambda: services.idea_set_status(
                idea=idea, actor=admin_user, status=Status.DECLINED, explanation="Out of scope"
            ),
        ]
    )
    assert errors == []
    changes = list(StatusChange.objects.filter(idea=idea).order_by("id"))
    assert len(changes) == 2
    # The second change starts from where the first left the idea: no lost update.
    assert changes[1].from_status == changes[0].to_status
    idea.refresh_from_db()
    assert idea.status == changes[1].to_status


def test_edit_records_what_changed_and_the_old_url_redirects(client, pm):
    idea = factories.IdeaFactory(title="Export to CSV")
    old_url = idea.get_absolute_url()
    services.idea_update(
        idea=idea, actor=pm, title="Export reports to CSV", body=idea.body, category=idea.category
    )
    idea.refresh_from_db()
    assert idea.slug == "export-reports-to-csv"
    change = StatusChange.objects.get(idea=idea)
    assert change.kind == ActivityKind.EDIT and change.data == {"changed": ["title"]}
    assert client.get(old_url)["Location"] == idea.get_absolute_url()


def test_only_pms_can_own_ideas(pm, sales):
    idea = factories.IdeaFactory()
    with pytest.raises(services.ServiceError):
        services.idea_set_owner(idea=idea, actor=pm, owner=sales)
    services.idea_set_owner(idea=idea, actor=pm, owner=pm)
    assert Idea.objects.get(pk=idea.pk).owner == pm


def test_pm_inputs_are_validated(pm):
    idea = factories.IdeaFactory()
    with pytest.raises(services.ServiceError):
        services.idea_set_inputs(idea=idea, actor=pm, effort=Decimal("-1"), strategic_fit=3)
    with pytest.raises(services.ServiceError):
        services.idea_set_inputs(idea=idea, actor=pm, effort=None, strategic_fit=6)
    services.idea_set_inputs(idea=idea, actor=pm, effort=Decimal("2.5"), strategic_fit=5)
    evidence = IdeaEvidence.objects.get(idea=idea)
    assert evidence.part_strategic_fit == pytest.approx(5.0)
    assert evidence.part_effort < 0


# Merge


def test_merge_moves_everything_and_keeps_one_vote_per_person(pm):
    source = factories.IdeaFactory(title="SAML login")
    target = factories.IdeaFactory(title="Single sign-on")
    both = factories.CustomerFactory()
    only_source = factories.CustomerFactory()
    factories.VoteFactory(idea=source, user=both)
    factories.VoteFactory(idea=target, user=both)
    factories.VoteFactory(idea=source, user=only_source)
    factories.VoteFactory(idea=target)
    factories.CommentFactory(idea=source)
    signal = factories.SignalFactory(idea=source)
    factories.SubscriptionFactory(idea=source, user=only_source)
    services.idea_merge(source=source, target=target, actor=pm)
    source.refresh_from_db()
    target.refresh_from_db()
    assert source.merged_into == target and source.merged_at is not None
    assert target.vote_count == 3 == Vote.objects.filter(idea=target).count()
    assert set(Vote.objects.filter(idea=target).values_list("user", flat=True)) >= {
        both.pk,
        only_source.pk,
    }
    assert source.vote_count == 0 and not Vote.objects.filter(idea=source).exists()
    assert target.comment_count == 1 and Comment.objects.get().idea == target
    assert Signal.objects.get(pk=signal.pk).idea == target
    assert Subscription.objects.filter(idea=target, user=only_source).exists()
    assert not Subscription.objects.filter(idea=source).exists()
    assert Notification.objects.filter(recipient=only_source, kind="merged").count() == 1
    kinds = StatusChange.objects.filter(kind=ActivityKind.MERGE).values_list("idea", flat=True)
    assert set(kinds) == {source.pk, target.pk}


@pytest.mark.parametrize("case", ["itself", "already_merged_source", "into_merged", "cycle"])
def test_bad_merges_are_refused_with_a_clear_message(pm, case):
    a, b, c = factories.IdeaFactory.create_batch(3)
    if case == "itself":
        source, target, message = a, a, "into itself"
    elif case == "already_merged_source":
        services.idea_merge(source=a, target=b, actor=pm)
        source, target, message = a, c, "already merged"
    elif case == "into_merged":
        services.idea_merge(source=b, target=c, actor=pm)
        source, target, message = a, b, "itself merged into another idea"
    else:  # a -> b, then b -> a would be a cycle
        services.idea_merge(source=a, target=b, actor=pm)
        source, target, message = b, a, "itself merged into another idea"
    votes_before = Vote.objects.count()
    with pytest.raises(services.ServiceError, match=message):
        services.idea_merge(source=source, target=target, actor=pm)
    assert Vote.objects.count() == votes_before


def test_ideas_merged_into_the_source_follow_to_the_target(pm, client):
    a, b, c = factories.IdeaFactory.create_batch(3)
    services.idea_merge(source=a, target=b, actor=pm)
    services.idea_merge(source=b, target=c, actor=pm)
    assert Idea.objects.get(pk=a.pk).merged_into_id == c.pk
    assert client.get(a.get_absolute_url())["Location"] == c.get_absolute_url()


@pytest.mark.django_db(transaction=True)
def test_votes_arriving_during_a_merge_are_not_lost(pm):
    source = factories.IdeaFactory()
    target = factories.IdeaFactory()
    voters = factories.CustomerFactory.create_batch(12)
    factories.VoteFactory(idea=target, user=voters[0])
    work = [lambda v=v: services.vote_add(user=v, idea=source) for v in voters]
    work.insert(6, lambda: services.idea_merge(source=source, target=target, actor=pm))
    assert run_at_once(work) == []
    target.refresh_from_db()
    # Every voter counted once, on the target, whichever side of the merge their vote fell.
    assert set(Vote.objects.filter(idea=target).values_list("user", flat=True)) == {
        v.pk for v in voters
    }
    assert target.vote_count == 12 == Vote.objects.filter(idea=target).count()
    assert not Vote.objects.filter(idea=source).exists()
    connection.close()


# Routing


def test_routing_a_signal_makes_its_rep_follow_the_idea(pm, sales):
    signal = factories.SignalFactory(idea=None, captured_by=sales)
    idea = factories.IdeaFactory()
    services.signal_route(signal=signal, idea=idea, actor=pm)
    signal.refresh_from_db()
    assert signal.idea == idea and signal.routed_by == pm and signal.routed_at
    assert Subscription.objects.get(user=sales, idea=idea).reason == "signal"
    assert StatusChange.objects.get(idea=idea).kind == ActivityKind.ROUTE


def test_routing_to_a_merged_idea_lands_on_its_target(pm):
    target = factories.IdeaFactory()
    merged = factories.IdeaFactory(merged_into=target)
    signal = factories.SignalFactory(idea=None)
    services.signal_route(signal=signal, idea=merged, actor=pm)
    assert Signal.objects.get(pk=signal.pk).idea == target


def test_a_new_internal_idea_from_a_signal(pm, sales):
    signal = factories.SignalFactory(idea=None, captured_by=sales, verbatim="We need SCIM.")
    idea = services.signal_create_idea(signal=signal, actor=pm, title="SCIM provisioning")
    assert idea.visibility == "internal" and idea.source == "sales"
    assert idea.account == signal.account and "We need SCIM." in idea.body
    assert Signal.objects.get(pk=signal.pk).idea == idea
