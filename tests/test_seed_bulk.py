"""`manage.py seed_bulk`: a small run loads consistent, searchable, realistic rows."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, F, Max, Min, Q
from django.utils import timezone

from ideas import services
from ideas.models import Account, Comment, Idea, LexemeStat, Signal, Vote
from portal.models import User

SIZES = {"ideas": 200, "votes": 2000, "signals": 300, "comments": 500, "users": 300}


@pytest.fixture
def loaded(db):
    out = StringIO()
    call_command("seed_bulk", accounts=20, no_progress=True, stdout=out, **SIZES)
    return out.getvalue()


def test_counts(loaded):
    assert "Loaded 200 ideas" in loaded
    assert Idea.objects.count() == 200
    assert Vote.objects.count() == 2000
    assert Signal.objects.count() == 300
    assert Comment.objects.count() == 500
    assert User.objects.count() == 300
    assert Account.objects.count() == 20


def test_counters_match_rows(loaded):
    ideas = Idea.objects.annotate(
        n_votes=Count("votes", distinct=True),
        n_public=Count("comments", filter=Q(comments__is_internal=False), distinct=True),
    )
    for idea in ideas:
        assert idea.vote_count == idea.n_votes, idea.pk
        assert idea.comment_count == idea.n_public, idea.pk
    # Trending scores too: the service's exact recount finds nothing to correct.
    assert services.idea_recount_counters(Idea.objects.all()) == 0


def test_no_duplicate_votes_and_popularity_is_skewed(loaded):
    pairs = Vote.objects.values("user", "idea").annotate(n=Count("id")).filter(n__gt=1)
    assert not pairs.exists()
    counts = sorted(Idea.objects.values_list("vote_count", flat=True), reverse=True)
    # A few ideas get most votes: the top 10% hold far more than 10%.
    assert sum(counts[:20]) > 0.3 * sum(counts)


def test_search_works_on_loaded_text(loaded):
    assert Idea.objects.filter(search_vector="dashboard").exists()
    assert Idea.objects.filter(search_vector="single sign-on").count() < Idea.objects.count()
    assert LexemeStat.objects.exists()


def test_dates_spread_over_two_years(loaded):
    now = timezone.now()
    span = Idea.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    assert span["last"] <= now
    assert now - span["first"] > dt.timedelta(days=500)
    assert now - span["first"] <= dt.timedelta(days=731)
    votes = Vote.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    assert votes["last"] - votes["first"] > dt.timedelta(days=365)
    assert not Vote.objects.filter(created_at__lt=F("idea__created_at")).exists()


def test_signals_lean_on_large_accounts(loaded):
    top = Account.objects.order_by("-arr")[:4]
    top_signals = Signal.objects.filter(account__in=top).count()
    assert top_signals > 0.2 * Signal.objects.count()  # 4 of 20 accounts
    signal = Signal.objects.filter(account__isnull=False).select_related("account").first()
    assert signal.account_arr == signal.account.arr
    assert signal.account_plan == signal.account.plan


def test_sequences_continue_after_the_rows(loaded):
    idea = Idea.objects.create(title="After the bulk load")
    assert idea.pk > 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'idea_search_gin'")
        assert cursor.fetchone()[0] == 1  # dropped for the load, rebuilt after


@pytest.mark.django_db
def test_refuses_a_database_with_many_ideas(monkeypatch):
    from ideas.management.commands import seed_bulk

    monkeypatch.setattr(seed_bulk, "EXISTING_IDEAS_LIMIT", 0)
    Idea.objects.create(title="Already here")
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_bulk", ideas=5, votes=5, users=10, no_progress=True)
