"""Similar ideas: the ranking (ideas/similarity.py), its statistics, and its measurement."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from ideas import queries, similarity
from ideas.models import Idea, LexemeStat, LexemeStatCoverage
from tests import factories

pytestmark = pytest.mark.django_db

TINY_JSONL = Path(__file__).parent / "data" / "duplicates-tiny.jsonl"


def similar(text: str, **kwargs) -> list[Idea]:
    return similarity.similar(text, ideas=Idea.objects.visible_to(None).listed(), **kwargs)


def titles(ideas: list[Idea]) -> list[str]:
    return [idea.title for idea in ideas]


@pytest.fixture
def decoys():
    """Ideas sharing the common words of the tests' queries, but not what they are about."""
    for title in [
        "Export the member list",
        "Reports load slowly",
        "Schedule reports by email",
        "Export comments with each idea",
        "Monthly usage reports for admins",
        "Spreadsheet view of the roadmap",
    ]:
        factories.IdeaFactory(title=title)


# Ranking


def test_reworded_duplicate_ranks_first_among_decoys(decoys):
    duplicate = factories.IdeaFactory(
        title="Download reports as Excel spreadsheets",
        body="Finance pastes every report into Excel by hand.",
    )
    found = similar("Export monthly reports to Excel")
    assert found[0] == duplicate


def test_title_and_body_query_finds_the_duplicate(decoys):
    duplicate = factories.IdeaFactory(
        title="Night theme", body="A dark colour scheme for the dashboard, for late shifts."
    )
    factories.IdeaFactory(title="Dashboard widgets", body="Let us pick what the dashboard shows.")
    found = similarity.similar(
        "Dark mode",
        body="The dashboard glare hurts at night; a dark scheme would help.",
        ideas=Idea.objects.all(),
    )
    assert found[0] == duplicate


def test_rare_words_outweigh_common_ones():
    for n in range(8):
        factories.IdeaFactory(title=f"Dashboard improvement {n}")
    okta = factories.IdeaFactory(title="Okta login")
    found = similar("Okta dashboard")
    assert found[0] == okta


def test_exact_title_scores_higher_than_partial_match(decoys):
    exact = factories.IdeaFactory(title="Export reports to Excel", body="")
    partial = factories.IdeaFactory(title="Export invoices", body="")
    found = similar("Export reports to Excel", limit=10)
    scores = {idea.pk: idea.similarity for idea in found}
    assert found[0] == exact
    assert scores[exact.pk] > scores[partial.pk]
    assert scores[exact.pk] >= 0.9
    assert all(0 < score <= 1 for score in scores.values())


def test_more_shared_words_score_higher():
    one = factories.IdeaFactory(title="Calendar sync", body="")
    two = factories.IdeaFactory(title="Calendar sync with Outlook", body="")
    found = similar("Outlook calendar sync for meetings")
    assert titles(found)[:2] == [two.title, one.title]
    assert found[0].similarity > found[1].similarity


def test_half_typed_last_word_matches_its_completions():
    factories.IdeaFactory(title="Export reports to Excel")
    factories.IdeaFactory(title="Dark mode")
    assert titles(similar("excel expo"))[:1] == ["Export reports to Excel"]
    assert titles(similar("expo")) == ["Export reports to Excel"]


def test_parts_of_compound_identifiers_are_matched():
    target = factories.IdeaFactory(title="Access point parsing fails for S3 buckets")
    factories.IdeaFactory(title="Faster page loads")
    assert similar("TestArnResource.parseAccessPointFromArn fails")[0] == target


def test_ideas_sharing_only_common_words_are_still_found_within_a_small_budget():
    # With budget=1 no word is rare enough on its own: ideas must share two words.
    target = factories.IdeaFactory(title="Reports export")
    factories.IdeaFactory(title="Reports page")
    factories.IdeaFactory(title="Export button")
    assert similar("export reports", budget=1)[0] == target


def test_limit_and_exclude_pk_are_respected(customer):
    ideas = [factories.IdeaFactory(title=f"Excel export, variant {n}") for n in range(4)]
    found = queries.similar_ideas("excel export", user=customer, limit=2, exclude_pk=ideas[0].pk)
    assert len(found) == 2
    assert ideas[0] not in found


# Visibility


def test_customer_never_gets_an_internal_idea(customer, pm):
    factories.InternalIdeaFactory(title="Okta single sign-on for enterprise")
    public = factories.IdeaFactory(title="Okta sign-on for small teams")
    assert titles(queries.similar_ideas("okta sign-on", user=customer)) == [public.title]
    assert len(queries.similar_ideas("okta sign-on", user=pm)) == 2


def test_merged_ideas_are_not_suggested(customer):
    target = factories.IdeaFactory(title="Excel export")
    factories.IdeaFactory(title="Export to Excel please", merged_into=target)
    assert queries.similar_ideas("excel export", user=customer) == [target]


def test_suggestions_carry_votes_and_similarity(customer):
    idea = factories.IdeaFactory(title="Excel export")
    factories.VoteFactory(idea=idea, user=customer)
    [found] = queries.similar_ideas("excel export", user=customer)
    assert found.has_voted is True
    assert 0 < found.similarity <= 1


# Input that finds nothing, or that is odd


@pytest.mark.parametrize("text", ["", "   ", "the and of", "!!!", "?", "🙂🙂", "a"])
def test_empty_or_stop_word_only_text_finds_nothing(text):
    factories.IdeaFactory(title="The export of reports")
    assert similar(text) == []
    assert similarity.similar(text, body=text, ideas=Idea.objects.all()) == []


@pytest.mark.parametrize(
    "text",
    [
        "Export 🚀 reports “quoted” ‘single’ 'plain' \"double\"",
        "export & reports | excel ! (not) : * <-> :* !!",
        "'':* \\ \\\\ \\' export",
        "export\x00reports",
        "export \ud800 reports",
        "C:\\Users\\finance\\report.xlsx export",
        "https://example.com/a?b=c&d='e' export",
        "ÉXPORT des rapports — Größe, naïve café, 导出报告",
        "export " * 5000,
        "x" * 3000 + " export",
        "Export reports to Excel" + "!" * 10_000,
    ],
)
def test_odd_input_never_errors(text):
    factories.IdeaFactory(title="Export reports to Excel")
    for found in (
        similar(text),
        similarity.similar(text, body=text, ideas=Idea.objects.all()),
        queries.similar_ideas(text, user=None),
    ):
        assert all(0 <= idea.similarity <= 1 for idea in found)


@pytest.mark.parametrize(
    "title", ["It's a \\backslash\\ idea: 'quoted' & odd", "Path C:\\temp\\x.cfg isn't read"]
)
def test_ideas_with_odd_characters_find_themselves(title):
    idea = factories.IdeaFactory(title=title)
    factories.IdeaFactory(title="Something else entirely")
    assert similar(title)[0] == idea


# Lexeme statistics


def test_statistics_count_new_ideas_on_the_next_lookup():
    factories.IdeaFactory(title="Excel export")
    similar("excel")
    assert LexemeStat.objects.get(lexeme="excel").ideas == 1
    factories.IdeaFactory(title="Excel import")
    similar("excel")
    assert LexemeStat.objects.get(lexeme="excel").ideas == 2
    assert LexemeStat.objects.get(lexeme="import").ideas == 1
    coverage = LexemeStatCoverage.objects.get()
    assert coverage.ideas == 2
    assert coverage.last_idea_id == Idea.objects.latest("pk").pk


def test_a_word_new_to_every_idea_is_found_at_once():
    similar("anything")  # Statistics exist before the idea below.
    idea = factories.IdeaFactory(title="Kubernetes operator")
    assert similar("kubernetes") == [idea]


def test_full_refresh_recounts_after_edits():
    idea = factories.IdeaFactory(title="Excel export")
    similarity.refresh_stats()
    Idea.objects.filter(pk=idea.pk).update(title="Calendar sync")
    similarity.refresh_stats(full=True)
    assert not LexemeStat.objects.filter(lexeme="excel").exists()
    assert LexemeStat.objects.get(lexeme="calendar").ideas == 1


@pytest.mark.django_db(transaction=True)
def test_counting_waits_until_no_idea_is_being_written():
    # An idea being written in another session could commit, after a count, with an id below
    # the one counted up to; so lookups count only when no idea is being written.
    factories.IdeaFactory(title="Excel export")
    db = connection.settings_dict
    other = psycopg2.connect(
        host=db["HOST"],
        port=db["PORT"],
        user=db["USER"],
        password=db["PASSWORD"],
        dbname=db["NAME"],
    )
    try:
        other.cursor().execute("LOCK TABLE ideas_idea IN ROW EXCLUSIVE MODE")
        assert similarity.refresh_stats() is False
        assert similar("excel")  # Found all the same, weighed by the counts as they were.
    finally:
        other.rollback()
        other.close()
    assert similarity.refresh_stats() is True
    assert LexemeStat.objects.get(lexeme="excel").ideas == 1


def test_refresh_is_incremental():
    factories.IdeaFactory(title="Excel export")
    similarity.refresh_stats()
    similarity.refresh_stats()  # Nothing new: counts stay.
    assert LexemeStat.objects.get(lexeme="excel").ideas == 1


# The measurement


def test_eval_command_prints_recall_on_a_tiny_file():
    # A subprocess: the command creates and drops its own scratch database, outside the
    # test transaction.
    env = {**os.environ, "DEBUG": "true"}
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            "manage.py",
            "eval_duplicates",
            "--skip-checks",
            "--file",
            str(TINY_JSONL),
            "--k",
            "1,3",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "8 items, 2 labelled duplicates" in out
    assert "recall@1" in out and "recall@3" in out
    for kind in ("title only", "title + body"):
        line = next(line for line in out.splitlines() if line.startswith(kind))
        assert "1.00" in line  # Both duplicates are found within the first 3.
