"""The board of a large installation ranks by a snapshot of the evidence that the worker
refreshes (ideas/evidence.py): what it shows, how it says how old it is, when it asks for a
refresh, and that the refresh brings it up to date."""

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ideas import evidence, services, tasks
from ideas.models import IdeaEvidence, IdeaEvidenceSnapshot
from tests import factories
from tests.test_board import BOARD_QUERIES, csv_rows, ids, messages_of, populate, rows

pytestmark = pytest.mark.django_db

REFRESH_TASK = "ideas.tasks.refresh_evidence_snapshot"


@pytest.fixture
def snapshot_mode(settings):
    settings.LODE_BOARD_EVIDENCE = evidence.SNAPSHOT
    cache.delete(evidence.QUEUED_KEY)
    yield
    cache.delete(evidence.QUEUED_KEY)


def queued_refreshes() -> int:
    return DBTaskResult.objects.filter(task_path=REFRESH_TASK).count()


def voted_idea(voters: int, **kwargs):
    idea = factories.IdeaFactory(**kwargs)
    for _ in range(voters):
        factories.VoteFactory(idea=idea)
    return idea


def test_the_snapshot_holds_what_the_live_view_says(snapshot_mode):
    ideas = [voted_idea(n) for n in (1, 3, 2)]
    factories.SignalFactory(idea=ideas[0])

    evidence.refresh_snapshot()

    for idea in ideas:
        live = IdeaEvidence.objects.get(idea=idea)
        copy = IdeaEvidenceSnapshot.objects.get(idea=idea)
        assert copy.voters == live.voters
        assert copy.accounts == live.accounts
        assert copy.score == pytest.approx(live.score)
        assert sum(points for _, points in copy.breakdown()) == pytest.approx(copy.score)
    assert IdeaEvidenceSnapshot.objects.first().refreshed_at <= timezone.now()


def test_the_board_ranks_by_the_snapshot_until_it_is_refreshed(client_for, pm, snapshot_mode):
    low, high = voted_idea(1), voted_idea(3)
    evidence.refresh_snapshot()
    client = client_for(pm)
    assert ids(client.get(reverse("ideas:board")))[:2] == [high.pk, low.pk]

    for _ in range(5):  # `low` overtakes `high`, but the snapshot does not know yet
        factories.VoteFactory(idea=low)
    response = client.get(reverse("ideas:board"))
    assert ids(response)[:2] == [high.pk, low.pk]
    assert rows(response)[1].figures.voters == 1
    assert "Evidence as of" in response.text
    assert "Refresh now" in response.text

    evidence.refresh_snapshot()
    response = client.get(reverse("ideas:board"))
    assert ids(response)[:2] == [low.pk, high.pk]
    assert rows(response)[0].figures.voters == 6


def test_an_idea_newer_than_the_snapshot_is_named_above_the_ranking(client_for, pm, snapshot_mode):
    counted = voted_idea(1)
    evidence.refresh_snapshot()
    newer = voted_idea(4, title="Dark mode for the mobile app")

    response = client_for(pm).get(reverse("ideas:board"))

    assert ids(response) == [counted.pk]  # ranked: only what the snapshot counted
    assert [idea.pk for idea in response.context["newer"]] == [newer.pk]
    assert "New since the evidence was counted" in response.text
    assert "Dark mode for the mobile app" in response.text
    assert "2 open ideas" in response.text  # the count includes it
    # The CSV has every open idea; one not counted yet has blank figures, not zeros, and
    # comes last.
    lines = csv_rows(client_for(pm).get(reverse("ideas:board_csv")))
    assert [line["id"] for line in lines] == [str(counted.pk), str(newer.pk)]
    assert lines[1]["voters"] == lines[1]["score"] == ""


def test_a_stale_snapshot_queues_one_refresh(
    client_for, pm, snapshot_mode, settings, django_capture_on_commit_callbacks
):
    voted_idea(1)
    evidence.refresh_snapshot()
    client = client_for(pm)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("ideas:board"))
    assert queued_refreshes() == 0  # fresh: nothing to do

    settings.LODE_BOARD_SNAPSHOT_MAX_AGE = 0
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("ideas:board"))
        client.get(reverse("ideas:board"))
    assert queued_refreshes() == 1  # the second view saw it queued


def test_the_refresh_job_brings_the_board_up_to_date(client_for, pm, snapshot_mode):
    idea = voted_idea(1)
    evidence.refresh_snapshot()
    factories.VoteFactory(idea=idea)

    tasks.refresh_evidence_snapshot.call()

    assert IdeaEvidenceSnapshot.objects.get(idea=idea).voters == 2
    assert rows(client_for(pm).get(reverse("ideas:board")))[0].figures.voters == 2


def test_refresh_now_queues_a_refresh_once(
    client_for, pm, snapshot_mode, django_capture_on_commit_callbacks
):
    client = client_for(pm)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("ideas:board_refresh"), follow=True)
        second = client.post(reverse("ideas:board_refresh"), follow=True)

    assert first.redirect_chain[-1][0].startswith(reverse("ideas:board"))
    assert any("Recounting the evidence" in m for m in messages_of(first))
    assert any("already being recounted" in m for m in messages_of(second))
    assert queued_refreshes() == 1


def test_refresh_now_is_for_product_managers_only(client_for, customer, sales):
    for user in (customer, sales):
        assert client_for(user).post(reverse("ideas:board_refresh")).status_code == 404


def test_changes_to_the_score_inputs_queue_a_refresh(
    pm, snapshot_mode, django_capture_on_commit_callbacks
):
    idea = voted_idea(1)
    with django_capture_on_commit_callbacks(execute=True):
        services.weights_update(actor=pm, voters=2.0)
    assert queued_refreshes() == 1

    cache.delete(evidence.QUEUED_KEY)  # the worker took the first job
    with django_capture_on_commit_callbacks(execute=True):
        services.idea_set_inputs(idea=idea, actor=pm, effort=None, strategic_fit=5)
    assert queued_refreshes() == 2


def test_the_live_board_never_queues_refreshes(
    client_for, pm, settings, django_capture_on_commit_callbacks
):
    settings.LODE_BOARD_EVIDENCE = evidence.LIVE
    idea = voted_idea(1)
    with django_capture_on_commit_callbacks(execute=True):
        services.weights_update(actor=pm, voters=2.0)
        response = client_for(pm).get(reverse("ideas:board"))
        client_for(pm).post(reverse("ideas:board_refresh"))
    assert queued_refreshes() == 0
    assert "Evidence as of" not in response.text
    assert rows(response)[0].figures.voters == 1
    assert rows(response)[0].pk == idea.pk


def test_auto_mode_switches_on_the_size_of_the_installation(settings):
    settings.LODE_BOARD_EVIDENCE = "auto"
    settings.LODE_BOARD_SNAPSHOT_MIN_IDEAS = 10**9
    assert evidence.board_source() == evidence.LIVE
    settings.LODE_BOARD_SNAPSHOT_MIN_IDEAS = 0
    assert evidence.board_source() == evidence.SNAPSHOT


def test_staleness_follows_the_max_age(settings):
    settings.LODE_BOARD_SNAPSHOT_MAX_AGE = 300
    assert evidence.is_stale(None)
    assert not evidence.is_stale(timezone.now() - dt.timedelta(seconds=10))
    assert evidence.is_stale(timezone.now() - dt.timedelta(seconds=301))


@pytest.mark.parametrize("count", [5, 60])
def test_the_snapshot_board_runs_a_fixed_number_of_queries(
    client_for, pm, snapshot_mode, django_assert_max_num_queries, count
):
    populate(count)
    evidence.refresh_snapshot()
    client = client_for(pm)
    # The live board's queries, less the size estimate, plus the snapshot's age and the
    # ideas newer than it.
    with django_assert_max_num_queries(BOARD_QUERIES + 1):
        response = client.get(reverse("ideas:board"))
    assert len(rows(response)) == min(count, 50)
    assert all(idea.figures is not None for idea in rows(response))


def test_the_command_refreshes_and_says_which_evidence_the_board_uses(settings):
    settings.LODE_BOARD_EVIDENCE = evidence.LIVE
    idea = voted_idea(2)
    out = io.StringIO()
    call_command("refresh_evidence_snapshot", stdout=out)
    assert "Evidence snapshot refreshed" in out.getvalue()
    assert "live view" in out.getvalue()
    assert IdeaEvidenceSnapshot.objects.get(idea=idea).voters == 2


def test_a_broken_cache_leaves_the_board_working(
    client_for, pm, snapshot_mode, settings, monkeypatch, caplog
):
    voted_idea(2)
    evidence.refresh_snapshot()
    settings.LODE_BOARD_SNAPSHOT_MAX_AGE = 0  # stale: the board asks for a refresh

    def unavailable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "add", unavailable)
    response = client_for(pm).get(reverse("ideas:board"))

    assert response.status_code == 200
    assert rows(response)[0].figures.voters == 2
    assert queued_refreshes() == 0
    assert "not queueing" in caplog.text
