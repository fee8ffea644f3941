"""The prioritised board: access, ranking, sorting, filters, the score's breakdown, weights,
bulk actions, the CSV export and the board's query count."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ideas.choices import ActivityKind, Importance, Plan, Region, Segment, Status
from ideas.models import Idea, IdeaEvidence, ScoringWeights, StatusChange
from ideas.views.board import PAGE_SIZE
from tests import factories

pytestmark = pytest.mark.django_db

# Session, user, which evidence to rank by (the planner's idea count), COUNT, the page's rows
# (with evidence, category and owner in one join), their tags, then categories, owners and
# tags for the filter and bulk forms.
BOARD_QUERIES = 9


def board_url(**params: str) -> str:
    query = "&".join(f"{name}={value}" for name, value in params.items())
    return reverse("ideas:board") + (f"?{query}" if query else "")


def rows(response) -> list[Idea]:
    return list(response.context["page"].object_list)


def ids(response) -> list[int]:
    return [idea.pk for idea in rows(response)]


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def csv_rows(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def idea_with_arr(arr: str, **kwargs) -> Idea:
    """An idea backed by one account of this ARR (through a signal without a deal)."""
    idea = factories.IdeaFactory(**kwargs)
    account = factories.AccountFactory(arr=Decimal(arr))
    factories.SignalFactory(idea=idea, account=account, deal_stage="", opportunity_value=None)
    return idea


# Access


def test_visitor_gets_404(client):
    assert client.get(board_url()).status_code == 404
    assert client.get(reverse("ideas:board_csv")).status_code == 404
    assert client.get(reverse("ideas:weights")).status_code == 404


@pytest.mark.parametrize("persona", ["customer", "sales", "staff"])
def test_people_who_do_not_triage_get_404(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(board_url()).status_code == 404
    assert client.get(reverse("ideas:board_csv")).status_code == 404
    assert client.get(reverse("ideas:weights")).status_code == 404
    assert client.post(reverse("ideas:weights"), {"reset": "1"}).status_code == 404


@pytest.mark.parametrize("persona", ["pm", "admin_user"])
def test_pm_and_admin_see_the_board_and_weights(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    factories.IdeaFactory(title="Single sign-on with Okta")

    response = client.get(board_url())

    assert response.status_code == 200
    assert "Single sign-on with Okta" in response.content.decode()
    assert client.get(reverse("ideas:weights")).status_code == 200


def test_board_shows_a_helpful_empty_state(client_for, pm):
    response = client_for(pm).get(board_url())

    assert "No open ideas yet" in response.content.decode()


def test_empty_filter_result_offers_the_whole_board(client_for, pm):
    factories.IdeaFactory()

    response = client_for(pm).get(board_url(segment=Segment.MEDIA))

    assert rows(response) == []
    assert "No open idea matches these filters" in response.content.decode()


# What is on the board, and in which order


def test_board_lists_open_ideas_only_internal_included(client_for, pm):
    open_ideas = [
        factories.IdeaFactory(status=status)
        for status in (Status.NEW, Status.UNDER_REVIEW, Status.PLANNED, Status.IN_PROGRESS)
    ]
    internal = factories.InternalIdeaFactory()
    factories.IdeaFactory(status=Status.SHIPPED)
    factories.IdeaFactory(status=Status.DECLINED)
    target = factories.IdeaFactory()
    factories.IdeaFactory(merged_into=target, merged_at=timezone.now())

    response = client_for(pm).get(board_url())

    assert set(ids(response)) == {idea.pk for idea in [*open_ideas, internal, target]}


def test_board_ranks_by_score_by_default(client_for, pm):
    quiet = factories.IdeaFactory(title="Quiet idea")
    voted = factories.IdeaFactory(title="Voted idea")
    factories.VoteFactory(idea=voted)
    loud = idea_with_arr("500000", title="Loud idea", strategic_fit=4)
    factories.SignalFactory(idea=loud, importance=Importance.DEAL_BREAKER)

    response = client_for(pm).get(board_url())

    assert ids(response) == [loud.pk, voted.pk, quiet.pk]
    scores = [idea.evidence.score for idea in rows(response)]
    assert scores == sorted(scores, reverse=True)
    assert 'aria-sort="descending"' in response.content.decode()


def test_board_sorts_by_arr_both_ways(client_for, pm):
    small = idea_with_arr("10000")
    large = idea_with_arr("900000")
    medium = idea_with_arr("120000")
    client = client_for(pm)

    ascending = client.get(board_url(sort="arr", dir="asc"))
    descending = client.get(board_url(sort="arr", dir="desc"))

    assert ids(ascending) == [small.pk, medium.pk, large.pk]
    assert ids(descending) == [large.pk, medium.pk, small.pk]
    html = ascending.content.decode()
    assert 'aria-sort="ascending"' in html
    # The current column's header link turns the order round.
    assert "sort=arr&amp;dir=desc" in html


def test_unknown_sort_falls_back_to_the_score(client_for, pm):
    idea_with_arr("10000")
    idea_with_arr("900000")

    response = client_for(pm).get(board_url(sort="title; DROP TABLE", dir="sideways"))

    assert response.status_code == 200
    assert response.context["sort"] == "score"
    assert response.context["direction"] == "desc"


def test_ideas_without_effort_go_last_in_either_direction(client_for, pm):
    big = factories.IdeaFactory(effort=Decimal("8"))
    unsized = factories.IdeaFactory(effort=None)
    small = factories.IdeaFactory(effort=Decimal("1"))
    client = client_for(pm)

    assert ids(client.get(board_url(sort="effort", dir="asc"))) == [small.pk, big.pk, unsized.pk]
    assert ids(client.get(board_url(sort="effort", dir="desc"))) == [big.pk, small.pk, unsized.pk]


def test_board_is_paginated_by_fifty(client_for, pm):
    factories.IdeaFactory.create_batch(PAGE_SIZE + 2)
    client = client_for(pm)

    first = client.get(board_url())
    second = client.get(board_url(page="2"))

    assert len(rows(first)) == PAGE_SIZE
    assert len(rows(second)) == 2
    assert not set(ids(first)) & set(ids(second))
    assert "page=2" in first.content.decode()


# Filters


def test_filter_by_category(client_for, pm):
    security = factories.CategoryFactory(name="Security", slug="security")
    wanted = factories.IdeaFactory(category=security)
    factories.IdeaFactory()

    response = client_for(pm).get(board_url(category="security"))

    assert ids(response) == [wanted.pk]


def test_filter_by_status(client_for, pm):
    planned = factories.IdeaFactory(status=Status.PLANNED)
    factories.IdeaFactory(status=Status.NEW)

    response = client_for(pm).get(board_url(status=Status.PLANNED))

    assert ids(response) == [planned.pk]


def test_a_closed_status_is_not_a_filter(client_for, pm):
    factories.IdeaFactory(status=Status.SHIPPED)
    new = factories.IdeaFactory(status=Status.NEW)

    response = client_for(pm).get(board_url(status=Status.SHIPPED))

    assert ids(response) == [new.pk]


def test_filter_by_segment_counts_signals_and_voters_once(client_for, pm):
    hospital = factories.AccountFactory(segment=Segment.HEALTHCARE)
    from_signals = factories.IdeaFactory()
    # Two signals from the same kind of account: the idea must still appear once.
    factories.SignalFactory.create_batch(2, idea=from_signals, account=hospital)
    from_votes = factories.IdeaFactory()
    factories.VoteFactory(idea=from_votes, user=factories.CustomerFactory(account=hospital))
    factories.VoteFactory(idea=from_votes, user=factories.CustomerFactory(account=hospital))
    elsewhere = factories.IdeaFactory()
    factories.SignalFactory(idea=elsewhere)  # a technology account

    response = client_for(pm).get(board_url(segment=Segment.HEALTHCARE))

    assert sorted(ids(response)) == sorted([from_signals.pk, from_votes.pk])
    assert response.context["page"].paginator.count == 2


def test_filter_by_region(client_for, pm):
    tokyo = factories.AccountFactory(region=Region.APAC)
    wanted = factories.IdeaFactory()
    factories.VoteFactory(idea=wanted, user=factories.CustomerFactory(account=tokyo))
    factories.SignalFactory(idea=factories.IdeaFactory())  # an EMEA account

    response = client_for(pm).get(board_url(region=Region.APAC))

    assert ids(response) == [wanted.pk]


def test_filter_by_plan(client_for, pm):
    big = factories.AccountFactory(plan=Plan.ENTERPRISE)
    wanted = factories.IdeaFactory()
    factories.SignalFactory(idea=wanted, account=big)
    factories.SignalFactory(idea=factories.IdeaFactory())  # a Business account

    response = client_for(pm).get(board_url(plan=Plan.ENTERPRISE))

    assert ids(response) == [wanted.pk]


def test_account_filters_together_describe_one_account(client_for, pm):
    apac_retail = factories.AccountFactory(segment=Segment.RETAIL, region=Region.APAC)
    wanted = factories.IdeaFactory()
    factories.SignalFactory(idea=wanted, account=apac_retail)
    # Retail in one account and APAC in another is not "a retail account in APAC".
    split = factories.IdeaFactory()
    factories.SignalFactory(idea=split, account=factories.AccountFactory(segment=Segment.RETAIL))
    factories.SignalFactory(idea=split, account=factories.AccountFactory(region=Region.APAC))

    response = client_for(pm).get(board_url(segment=Segment.RETAIL, region=Region.APAC))

    assert ids(response) == [wanted.pk]


# The score and its breakdown


def test_breakdown_shown_sums_to_the_score(client_for, pm):
    idea = factories.IdeaFactory(effort=Decimal("4"), strategic_fit=3)
    factories.VoteFactory.create_batch(3, idea=idea)
    factories.SignalFactory(idea=idea, importance=Importance.DEAL_BREAKER)
    factories.SignalFactory(idea=idea, deal_stage="renewal_at_risk", opportunity_value=None)

    response = client_for(pm).get(board_url())

    (row,) = rows(response)
    breakdown = row.evidence.breakdown()
    assert len(breakdown) == len(IdeaEvidence.PARTS)
    assert all(points != 0 for _, points in breakdown)  # every part is exercised
    stored = IdeaEvidence.objects.get(idea=idea).score
    assert sum(points for _, points in breakdown) == pytest.approx(stored)
    html = response.content.decode()
    assert "Why this score" in html
    for label, points in breakdown:
        assert label in html
        assert f"{points:.2f}" in html
    assert f"{stored:.2f}" in html


def test_raising_a_weight_changes_the_order(client_for, pm):
    strategic = factories.IdeaFactory(title="Strategic", strategic_fit=5)
    popular = factories.IdeaFactory(title="Popular")
    # A voter without an account: only votes, momentum and strength count for it.
    factories.VoteFactory(idea=popular, user=factories.UserFactory())
    client = client_for(pm)
    assert ids(client.get(board_url())) == [strategic.pk, popular.pk]

    values = {name: getattr(ScoringWeights.load(), name) for name in ScoringWeights.WEIGHT_FIELDS}
    values |= {"win_probability_prospect": 0.1, "win_probability_open": 0.3, "voters": 10}
    response = client.post(reverse("ideas:weights"), values, follow=True)

    assert response.redirect_chain == [(reverse("ideas:board"), 302)]
    assert ids(response) == [popular.pk, strategic.pk]
    assert any("Scoring weights saved" in message for message in messages_of(response))
    weights = ScoringWeights.load()
    assert weights.voters == 10
    assert weights.updated_by == pm


# Scoring weights


def test_weights_page_shows_help_and_who_changed_it_last(client_for, pm, admin_user):
    client = client_for(pm)
    html = client.get(reverse("ideas:weights")).content.decode()
    assert "Nobody has changed the weights yet" in html
    assert "ln(1 + distinct accounts)" in html  # each weight explains its component

    client.post(reverse("ideas:weights"), {"reset": "1"})
    html = client_for(admin_user).get(reverse("ideas:weights")).content.decode()

    assert f"Last changed by {pm.display_name}" in html


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("voters", "11", "between −10 and 10"),
        ("effort", "-10.5", "between −10 and 10"),
        ("win_probability_open", "1.5", "between 0 and 1"),
        ("win_probability_prospect", "-0.1", "between 0 and 1"),
        ("arr", "lots", "Enter a number"),
        ("momentum", "", "Give this a value"),
    ],
)
def test_weights_out_of_range_are_refused_with_a_clear_error(client_for, pm, field, value, error):
    values = dict.fromkeys(ScoringWeights.WEIGHT_FIELDS, "1")
    values |= {"win_probability_prospect": "0.1", "win_probability_open": "0.3", field: value}

    response = client_for(pm).post(reverse("ideas:weights"), values)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert ScoringWeights.load().updated_by is None  # nothing saved


def test_reset_to_defaults(client_for, pm):
    weights = ScoringWeights.load()
    weights.voters, weights.win_probability_open = 7.5, 0.9
    weights.save()

    response = client_for(pm).post(reverse("ideas:weights"), {"reset": "1"})

    assert response.status_code == 302
    assert response["Location"] == reverse("ideas:board")
    weights.refresh_from_db()
    assert (weights.voters, weights.win_probability_open) == (1.0, 0.3)
    assert weights.updated_by == pm


# Bulk actions


def bulk(client, ideas: list[Idea], action: str, follow: bool = True, **data):
    payload = {"ideas": [idea.pk for idea in ideas], "action": action, **data}
    return client.post(reverse("ideas:board_bulk"), payload, follow=follow)


def test_bulk_status_goes_through_the_service_and_back_to_the_same_board(client_for, pm):
    first, second = factories.IdeaFactory.create_batch(2)
    untouched = factories.IdeaFactory()
    back = board_url(status=Status.NEW, sort="arr", dir="asc")

    response = bulk(
        client_for(pm),
        [first, second],
        "status",
        follow=False,
        status=Status.UNDER_REVIEW,
        explanation="Looking into it this quarter.",
        next=back,
    )

    assert response.status_code == 302
    assert response["Location"] == back
    for idea in (first, second):
        idea.refresh_from_db()
        assert idea.status == Status.UNDER_REVIEW
        change = StatusChange.objects.get(idea=idea, kind=ActivityKind.STATUS)
        assert (change.actor, change.explanation) == (pm, "Looking into it this quarter.")
    untouched.refresh_from_db()
    assert untouched.status == Status.NEW


def test_bulk_status_reports_a_success_message(client_for, pm):
    ideas = factories.IdeaFactory.create_batch(3)

    response = bulk(client_for(pm), ideas, "status", status=Status.PLANNED)

    assert "Updated 3 ideas." in messages_of(response)


def test_bulk_decline_without_explanation_changes_nothing(client_for, pm):
    ideas = factories.IdeaFactory.create_batch(2)

    response = bulk(client_for(pm), ideas, "status", status=Status.DECLINED, explanation="  ")

    assert any("Explain why these ideas are declined" in m for m in messages_of(response))
    assert not any(m.startswith("Updated") for m in messages_of(response))
    assert set(Idea.objects.values_list("status", flat=True)) == {Status.NEW}
    assert not StatusChange.objects.exists()


def test_bulk_decline_with_explanation(client_for, pm):
    idea = factories.IdeaFactory()

    bulk(client_for(pm), [idea], "status", status=Status.DECLINED, explanation="Out of scope.")

    idea.refresh_from_db()
    assert (idea.status, idea.public_response) == (Status.DECLINED, "Out of scope.")


def test_bulk_collects_errors_per_idea_and_changes_the_rest(client_for, pm):
    fresh = factories.IdeaFactory(title="Fresh idea here", status=Status.NEW)
    reviewed = factories.IdeaFactory(title="Already reviewed", status=Status.UNDER_REVIEW)

    response = bulk(client_for(pm), [fresh, reviewed], "status", status=Status.UNDER_REVIEW)

    found = messages_of(response)
    assert "Updated 1 idea." in found
    assert "“Already reviewed”: The idea is already under review." in found
    fresh.refresh_from_db()
    assert fresh.status == Status.UNDER_REVIEW


def test_bulk_category(client_for, pm):
    security = factories.CategoryFactory(name="Security", slug="security")
    ideas = factories.IdeaFactory.create_batch(2)

    response = bulk(client_for(pm), ideas, "category", category=security.pk)

    assert "Updated 2 ideas." in messages_of(response)
    assert set(Idea.objects.values_list("category", flat=True)) == {security.pk}
    assert StatusChange.objects.filter(kind=ActivityKind.EDIT).count() == 2


def test_bulk_category_can_be_cleared(client_for, pm):
    idea = factories.IdeaFactory()

    bulk(client_for(pm), [idea], "category", category="none")

    idea.refresh_from_db()
    assert idea.category is None


def test_bulk_owner(client_for, pm, admin_user):
    ideas = factories.IdeaFactory.create_batch(2)
    client = client_for(pm)

    bulk(client, ideas, "owner", owner=admin_user.pk)
    assert set(Idea.objects.values_list("owner", flat=True)) == {admin_user.pk}
    assert StatusChange.objects.filter(kind=ActivityKind.OWNER).count() == 2

    bulk(client, ideas, "owner", owner="none")
    assert set(Idea.objects.values_list("owner", flat=True)) == {None}


def test_bulk_owner_must_be_a_product_manager(client_for, pm, sales):
    idea = factories.IdeaFactory()

    response = bulk(client_for(pm), [idea], "owner", owner=sales.pk)

    assert "Choose a product manager." in messages_of(response)
    idea.refresh_from_db()
    assert idea.owner is None


def test_bulk_add_and_remove_tags(client_for, pm):
    urgent = factories.TagFactory(name="urgent", slug="urgent")
    sso = factories.TagFactory(name="sso", slug="sso")
    tagged = factories.IdeaFactory()
    tagged.tags.add(sso)
    plain = factories.IdeaFactory()
    client = client_for(pm)

    bulk(client, [tagged, plain], "add_tags", tags=[urgent.pk])

    assert set(tagged.tags.all()) == {urgent, sso}
    assert set(plain.tags.all()) == {urgent}
    html = client.get(board_url()).content.decode()
    assert ">urgent</span>" in html

    response = bulk(client, [tagged, plain], "remove_tags", tags=[urgent.pk])

    assert "Updated 2 ideas." in messages_of(response)
    assert set(tagged.tags.all()) == {sso}
    assert set(plain.tags.all()) == set()
    edits = StatusChange.objects.filter(kind=ActivityKind.EDIT, idea=plain)
    assert [change.data["changed"] for change in edits] == [["tags"], ["tags"]]


def test_select_all_on_page_works_without_javascript(client_for, pm):
    ideas = factories.IdeaFactory.create_batch(3)

    response = client_for(pm).post(
        reverse("ideas:board_bulk"),
        {
            "select_all": "1",
            "page_ideas": [idea.pk for idea in ideas],
            "action": "status",
            "status": Status.PLANNED,
        },
        follow=True,
    )

    assert "Updated 3 ideas." in messages_of(response)
    assert set(Idea.objects.values_list("status", flat=True)) == {Status.PLANNED}


def test_bulk_without_a_selection_says_so(client_for, pm):
    factories.IdeaFactory()

    response = bulk(client_for(pm), [], "status", status=Status.PLANNED)

    assert "Select at least one idea." in messages_of(response)


def test_bulk_ignores_a_next_url_on_another_site(client_for, pm):
    idea = factories.IdeaFactory()

    response = bulk(
        client_for(pm),
        [idea],
        "status",
        follow=False,
        status=Status.PLANNED,
        next="https://evil.example/board/",
    )

    assert response["Location"] == reverse("ideas:board")


def test_bulk_requires_post(client_for, pm):
    assert client_for(pm).get(reverse("ideas:board_bulk")).status_code == 405


@pytest.mark.parametrize("persona", ["customer", "sales", "staff"])
def test_bulk_requires_a_product_manager(request, client_for, persona):
    idea = factories.IdeaFactory()
    client = client_for(request.getfixturevalue(persona))

    response = bulk(client, [idea], "status", follow=False, status=Status.PLANNED)

    assert response.status_code == 404
    idea.refresh_from_db()
    assert idea.status == Status.NEW


def test_bulk_requires_csrf(pm):
    client = Client(enforce_csrf_checks=True)
    client.force_login(pm)
    idea = factories.IdeaFactory()

    response = bulk(client, [idea], "status", follow=False, status=Status.PLANNED)

    assert response.status_code == 403


# CSV export


def test_csv_has_the_same_rows_and_order_as_the_board_on_every_page(client_for, pm):
    security = factories.CategoryFactory(name="Security", slug="security")
    for n in range(PAGE_SIZE + 3):
        idea_with_arr(str(10000 + n * 1000), category=security)
    factories.IdeaFactory()  # another category: filtered out
    client = client_for(pm)
    params = {"category": "security", "sort": "arr", "dir": "asc"}

    page_one = ids(client.get(board_url(**params)))
    page_two = ids(client.get(board_url(**params, page="2")))
    response = client.get(reverse("ideas:board_csv"), params)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="lode-board-{today}.csv"'
    lines = csv_rows(response)
    assert [int(line["id"]) for line in lines] == page_one + page_two
    assert len(lines) == PAGE_SIZE + 3


def test_csv_columns_match_the_board_with_plain_numbers(client_for, pm):
    idea = idea_with_arr("123456.78", effort=Decimal("2.5"), strategic_fit=4)

    (line,) = csv_rows(client_for(pm).get(reverse("ideas:board_csv")))

    evidence = IdeaEvidence.objects.get(idea=idea)
    assert line["title"] == idea.title
    assert line["url"] == f"http://testserver{idea.get_absolute_url()}"
    assert line["status"] == "New"
    assert line["arr"] == "123456.78"
    assert line["effort"] == "2.5"
    assert line["strategic_fit"] == "4"
    assert float(line["score"]) == pytest.approx(evidence.score, abs=1e-4)
    parts = [float(line[name]) for name, _ in IdeaEvidence.PARTS]
    assert sum(parts) == pytest.approx(evidence.score, abs=1e-3)


def test_csv_guards_against_formula_injection(client_for, pm):
    factories.IdeaFactory(title='=HYPERLINK("http://evil")')
    factories.IdeaFactory(title="@SUM(A1:A9) and more")
    factories.IdeaFactory(title="+1 for dark mode please")

    lines = csv_rows(client_for(pm).get(reverse("ideas:board_csv")))

    titles = {line["title"] for line in lines}
    assert titles == {
        '\'=HYPERLINK("http://evil")',
        "'@SUM(A1:A9) and more",
        "'+1 for dark mode please",
    }


def test_csv_writes_negative_momentum_as_a_number(client_for, pm):
    idea = factories.IdeaFactory()
    # Heard 45 days ago and nothing since: interest is fading.
    factories.SignalFactory(idea=idea, heard_on=timezone.localdate() - dt.timedelta(days=45))

    (line,) = csv_rows(client_for(pm).get(reverse("ideas:board_csv")))

    assert line["momentum"].startswith("-")
    assert float(line["momentum"]) == pytest.approx(-0.6931, abs=1e-4)
    assert float(line["part_momentum"]) < 0


# Query counts


def populate(count: int) -> None:
    tag = factories.TagFactory()
    owner = factories.PMFactory()
    for _ in range(count):
        idea = factories.IdeaFactory(owner=owner, effort=Decimal("3"), strategic_fit=2)
        idea.tags.add(tag)
        factories.SignalFactory(idea=idea)
        factories.VoteFactory(idea=idea)


@pytest.mark.parametrize("count", [5, 60])
def test_board_runs_a_fixed_number_of_queries(
    client_for, pm, django_assert_max_num_queries, count
):
    populate(count)
    client = client_for(pm)

    with django_assert_max_num_queries(BOARD_QUERIES):
        response = client.get(board_url())

    assert len(rows(response)) == min(count, PAGE_SIZE)


def test_board_query_count_does_not_grow_with_the_data(client_for, pm):
    client = client_for(pm)
    populate(5)
    with CaptureQueriesContext(connection) as few:
        client.get(board_url(segment=Segment.TECHNOLOGY, sort="momentum"))
    populate(55)
    with CaptureQueriesContext(connection) as many:
        client.get(board_url(segment=Segment.TECHNOLOGY, sort="momentum"))

    assert len(few) == len(many) <= BOARD_QUERIES


@pytest.mark.parametrize(
    ("value", "shown"),
    [(1.5, "1.50"), (-0.25, "-0.25"), (-0.0001, "0.00"), (Decimal("12.345"), "12.35"), (None, "")],
)
def test_figures_show_two_decimals_and_never_minus_zero(value, shown):
    from ideas.templatetags.lode import fixed

    assert fixed(value) == shown
