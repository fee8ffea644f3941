"""Votes under concurrency: real threads, real PostgreSQL connections."""

import threading

import pytest
from django.db import connection

from ideas import services
from ideas.models import Idea, Subscription, Vote
from tests import factories


def run_at_once(workers: list) -> list[Exception]:
    """Start every worker at the same moment, each on its own database connection."""
    barrier = threading.Barrier(len(workers))
    errors: list[Exception] = []

    def run(work) -> None:
        try:
            barrier.wait()
            work()
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(work,)) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_double_clicking_vote_never_makes_two_votes():
    idea = factories.IdeaFactory()
    voter = factories.CustomerFactory()
    errors = run_at_once([lambda: services.vote_add(user=voter, idea=idea)] * 12)
    assert errors == []
    idea.refresh_from_db()
    assert idea.vote_count == 1 == Vote.objects.filter(idea=idea).count()
    assert Subscription.objects.filter(idea=idea, user=voter).count() == 1


@pytest.mark.django_db(transaction=True)
def test_many_people_voting_at_once_are_all_counted():
    idea = factories.IdeaFactory()
    voters = factories.CustomerFactory.create_batch(16)
    errors = run_at_once([lambda v=v: services.vote_add(user=v, idea=idea) for v in voters])
    assert errors == []
    idea.refresh_from_db()
    assert idea.vote_count == 16 == Vote.objects.filter(idea=idea).count()


@pytest.mark.django_db(transaction=True)
def test_voting_and_unvoting_at_once_keeps_the_counter_true():
    idea = factories.IdeaFactory()
    voters = factories.CustomerFactory.create_batch(8)
    for voter in voters[:4]:
        services.vote_add(user=voter, idea=idea)
    work = [lambda v=v: services.vote_remove(user=v, idea=idea) for v in voters[:4]]
    work += [lambda v=v: services.vote_add(user=v, idea=idea) for v in voters[4:]]
    assert run_at_once(work) == []
    idea.refresh_from_db()
    assert idea.vote_count == 4 == Vote.objects.filter(idea=idea).count()


@pytest.mark.django_db
def test_trending_score_after_votes_matches_the_exact_rebuild():
    idea = factories.IdeaFactory()
    voters = factories.CustomerFactory.create_batch(5)
    for voter in voters:
        services.vote_add(user=voter, idea=idea)
    services.vote_remove(user=voters[0], idea=idea)
    services.vote_add(user=voters[0], idea=idea)
    incremental = Idea.objects.get(pk=idea.pk).trending_score
    assert services.idea_recount_counters(Idea.objects.filter(pk=idea.pk)) == 0
    assert Idea.objects.get(pk=idea.pk).trending_score == pytest.approx(incremental, abs=1e-9)


@pytest.mark.django_db
def test_removing_a_vote_that_is_not_there_changes_nothing():
    idea = factories.IdeaFactory()
    services.vote_remove(user=factories.CustomerFactory(), idea=idea)
    idea.refresh_from_db()
    assert idea.vote_count == 0
