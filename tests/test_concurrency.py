"""Races through the HTTP layer: real threads, each with its own test client and PostgreSQL
connection, started together at a barrier, going through middleware, rate limits, views,
the API and the services. Afterwards every counter equals the rows behind it and no request
answered 500.

The service-level races are in test_services_vote.py and test_services_triage.py. Here a
pool of POOL threads works through every user's requests; no race uses more than
MAX_THREADS threads (and so database connections), well under PostgreSQL's 100.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token

from ideas.choices import ActivityKind, Status
from ideas.models import Idea, StatusChange, Subscription, Vote
from tests import factories

POOL = 16
# No race here runs more threads than this: other test runs share the server's connections.
MAX_THREADS = 25
# Rate limits high enough never to answer 429 here: the limiter itself still counts every
# request (one contended row per key), so it is part of the race.
NO_LIMITS = dict.fromkeys(
    (
        "idea",
        "idea_ip",
        "comment",
        "comment_ip",
        "vote",
        "vote_ip",
        "similar_ip",
        "api",
        "api_ip",
    ),
    "1000000/m",
)


@pytest.fixture(autouse=True)
def high_rate_limits(settings):
    settings.LODE_RATE_LIMITS = NO_LIMITS


Request = Callable[[], int]  # sends one request, returns its status code


def page_client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def api_client(user) -> Client:
    token, _ = Token.objects.get_or_create(user=user)
    return Client(raise_request_exception=False, headers={"authorization": f"Token {token.key}"})


def page_vote(client: Client, idea: Idea, *, htmx: bool = False) -> Request:
    headers = {"HX-Request": "true"} if htmx else {}
    return lambda: client.post(f"/ideas/{idea.pk}/vote/", headers=headers).status_code


def page_unvote(client: Client, idea: Idea, *, htmx: bool = False) -> Request:
    headers = {"HX-Request": "true"} if htmx else {}
    return lambda: client.post(f"/ideas/{idea.pk}/unvote/", headers=headers).status_code


def api_vote(client: Client, idea: Idea) -> Request:
    return lambda: client.post(f"/api/v1/ideas/{idea.pk}/vote/").status_code


def api_unvote(client: Client, idea: Idea) -> Request:
    return lambda: client.delete(f"/api/v1/ideas/{idea.pk}/vote/").status_code


def run_concurrently(lanes: list[list[Request]]) -> Counter:
    """Run each lane (a list of requests, in order) in its own thread; all lanes start at
    the same moment. Returns how many responses had each status code; an exception in a
    lane counts as status 0."""
    assert len(lanes) <= MAX_THREADS, "keep the connections well under PostgreSQL's limit"
    barrier = threading.Barrier(len(lanes))
    statuses: Counter = Counter()
    lock = threading.Lock()

    def run(lane: list[Request]) -> None:
        seen: Counter = Counter()
        try:
            barrier.wait(timeout=30)
            for send in lane:
                seen[send()] += 1
        except Exception:  # counted, and asserted on by the caller
            seen[0] += 1
        finally:
            connection.close()
            with lock:
                statuses.update(seen)

    threads = [threading.Thread(target=run, args=(lane,)) for lane in lanes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return statuses


def deal(requests: list[list[Request]], lanes: int) -> list[list[Request]]:
    """Spread users' request sequences over `lanes` threads, round-robin by step, so that
    the threads interleave different users' votes and un-votes on the same rows."""
    out: list[list[Request]] = [[] for _ in range(lanes)]
    for index, sequence in enumerate(requests):
        out[index % lanes].extend(sequence)
    return out


def assert_counters_true(*ideas: Idea) -> None:
    for idea in ideas:
        idea.refresh_from_db()
        assert idea.vote_count == Vote.objects.filter(idea=idea).count(), idea
        assert idea.comment_count == idea.comments.filter(is_internal=False).count(), idea


def assert_no_server_error(statuses: Counter, expected_total: int) -> None:
    assert sum(statuses.values()) == expected_total, statuses
    assert statuses[0] == 0, f"a request raised: {statuses}"
    assert not [code for code in statuses if code >= 500], statuses


@pytest.mark.django_db(transaction=True)
def test_a_hundred_people_voting_and_unvoting_at_once_on_one_idea():
    idea = factories.IdeaFactory()
    users = factories.CustomerFactory.create_batch(100)
    sequences = []
    for index, user in enumerate(users):
        # Four ways in: the page with and without htmx, the API by token, the API by session.
        way = index % 4
        if way in (0, 1):
            client = page_client(user)
            vote = page_vote(client, idea, htmx=way == 1)
            unvote = page_unvote(client, idea, htmx=way == 1)
        else:
            client = api_client(user) if way == 2 else page_client(user)
            vote, unvote = api_vote(client, idea), api_unvote(client, idea)
        # Vote, take it back, vote again; every other person takes it back once more.
        steps = [vote, unvote, vote] + ([unvote] if index % 2 else [])
        sequences.append(steps)
    total = sum(len(steps) for steps in sequences)  # 350

    statuses = run_concurrently(deal(sequences, POOL))

    assert_no_server_error(statuses, total)
    assert set(statuses) <= {200, 302}, statuses
    assert_counters_true(idea)
    voters = set(Vote.objects.filter(idea=idea).values_list("user_id", flat=True))
    assert voters == {user.pk for index, user in enumerate(users) if index % 2 == 0}
    assert idea.vote_count == 50
    # Every voter follows the idea once, whatever happened to their vote since.
    assert Subscription.objects.filter(idea=idea).exclude(user=idea.author).count() == 100


@pytest.mark.django_db(transaction=True)
def test_one_person_double_submitting_the_same_vote_fifty_times_at_once():
    idea = factories.IdeaFactory()
    voter = factories.CustomerFactory()
    # 50 requests in 25 lanes of two, each lane with its own client (a test client is not
    # meant to be shared between threads): the page with and without htmx, and the API.
    lanes = []
    for lane in range(25):
        if lane % 2 == 0:
            own = page_client(voter)
            lanes.append([page_vote(own, idea), page_vote(own, idea, htmx=True)])
        else:
            own = api_client(voter) if lane % 4 == 1 else page_client(voter)
            lanes.append([api_vote(own, idea), api_vote(own, idea)])

    statuses = run_concurrently(lanes)

    assert_no_server_error(statuses, 50)
    assert set(statuses) <= {200, 302}, statuses
    assert_counters_true(idea)
    assert idea.vote_count == 1 == Vote.objects.filter(idea=idea, user=voter).count()
    assert Subscription.objects.filter(idea=idea, user=voter).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("source_first", [True, False], ids=["source-older", "target-older"])
def test_votes_arriving_while_the_idea_is_merged(source_first):
    # The merge locks both rows in id order; votes lock the source, then follow the merge.
    if source_first:
        source, target = factories.IdeaFactory(), factories.IdeaFactory()
    else:
        target, source = factories.IdeaFactory(), factories.IdeaFactory()
    pm = factories.PMFactory()
    # Some people voted before: for the source only, for both, for the target only.
    earlier = factories.CustomerFactory.create_batch(9)
    for index, user in enumerate(earlier):
        if index % 3 in (0, 1):
            factories.VoteFactory(idea=source, user=user)
        if index % 3 in (1, 2):
            factories.VoteFactory(idea=target, user=user)
    Idea.objects.filter(pk=source.pk).update(vote_count=6)
    Idea.objects.filter(pk=target.pk).update(vote_count=6)
    # The newcomers vote for the source (page or API) while the PM merges it.
    newcomers = factories.CustomerFactory.create_batch(45)
    # Some of them also vote for the target at the same time: they must keep just one.
    sequences = []
    for index, user in enumerate(newcomers):
        if index % 3 == 0:
            client = api_client(user)
            steps = [api_vote(client, source)]
            if index % 2:
                steps.append(api_vote(client, target))
        else:
            client = page_client(user)
            steps = [page_vote(client, source, htmx=index % 3 == 1)]
            if index % 2:
                steps.insert(0, page_vote(client, target))
        sequences.append(steps)
    voter_lanes = deal(sequences, POOL - 1)
    merger = page_client(pm)
    # The merge goes in the middle of the voting: after a few votes in its own lane.
    merge_lane = [
        *voter_lanes[0][:1],
        lambda: (
            merger.post(f"/triage/ideas/{source.pk}/merge/", {"target": target.pk}).status_code
        ),
        *voter_lanes[0][1:],
    ]
    lanes = [merge_lane, *voter_lanes[1:]]
    total = sum(len(lane) for lane in lanes)

    statuses = run_concurrently(lanes)

    assert_no_server_error(statuses, total)
    assert set(statuses) <= {200, 302}, statuses
    source.refresh_from_db()
    assert source.merged_into_id == target.pk
    assert_counters_true(source, target)
    assert source.vote_count == 0 == Vote.objects.filter(idea=source).count()
    # Everyone who ever voted ends with exactly one vote, on the target.
    everyone = {user.pk for user in [*earlier, *newcomers]}
    on_target = Counter(Vote.objects.filter(idea=target).values_list("user_id", flat=True))
    assert set(on_target) == everyone
    assert set(on_target.values()) == {1}
    assert target.vote_count == len(everyone)
    assert StatusChange.objects.filter(kind=ActivityKind.MERGE).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_pms_changing_one_ideas_status_at_once_keep_a_consistent_timeline():
    idea = factories.IdeaFactory()
    pms = [factories.PMFactory(), factories.AdminFactory()]
    # Each PM works the triage page and the API at once, through a run of decisions; some
    # repeat the status the other one just set and are refused (400), none may fail (500).
    runs = [
        [Status.UNDER_REVIEW, Status.PLANNED, Status.IN_PROGRESS, Status.SHIPPED],
        [Status.PLANNED, Status.UNDER_REVIEW, Status.DECLINED, Status.PLANNED],
    ]
    lanes = []
    for pm, statuses_run in zip(pms, runs, strict=True):
        page, api = page_client(pm), api_client(pm)
        for client, via_api in ((page, False), (api, True)):
            lane = []
            for status in statuses_run:
                explanation = "Out of scope for this year." if status == Status.DECLINED else ""
                data = {"status": status, "explanation": explanation}
                if via_api:
                    lane.append(
                        lambda c=client, d=data: (
                            c.post(
                                f"/api/v1/ideas/{idea.pk}/status/",
                                d,
                                content_type="application/json",
                            ).status_code
                        )
                    )
                else:
                    lane.append(
                        lambda c=client, d=data: (
                            c.post(f"/triage/ideas/{idea.pk}/status/", d).status_code
                        )
                    )
            lanes.append(lane)
    # And a crowd voting meanwhile: a decision and a vote lock the same row.
    voters = factories.CustomerFactory.create_batch(12)
    lanes += deal([[page_vote(page_client(user), idea)] for user in voters], 6)
    total = sum(len(lane) for lane in lanes)

    statuses = run_concurrently(lanes)

    assert_no_server_error(statuses, total)
    assert set(statuses) <= {200, 302, 400}, statuses
    idea.refresh_from_db()
    assert_counters_true(idea)
    changes = list(StatusChange.objects.filter(idea=idea, kind=ActivityKind.STATUS).order_by("pk"))
    assert changes, "at least one decision landed"
    assert changes[0].from_status == Status.NEW
    for before, after in itertools.pairwise(changes):
        assert after.from_status == before.to_status
        assert after.created_at >= before.created_at
    assert changes[-1].to_status == idea.status
    # Each accepted request is one row on the timeline, each refused one is none.
    accepted = statuses[200] + statuses[302] - len(voters)
    assert len(changes) == accepted
