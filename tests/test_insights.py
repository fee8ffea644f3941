"""Insights: who may see them, figures with known answers (what is flagged as rising and what
is noise, distinct-account ARR, period boundaries, filters), the exports (CSV guarded against
formulas, a PowerPoint deck with native charts), sentiment stored once, the weekly digest
through the real database worker, and the page's fixed query count. The cache in front of
the figures: tests/test_insights_cache.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import math
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pptx import Presentation

from ideas import insights, services
from ideas.choices import (
    ActivityKind,
    DealStage,
    IdeaSource,
    Importance,
    Lifecycle,
    Plan,
    Region,
    Segment,
    SignalKind,
    Status,
)
from ideas.models import Comment, DigestDelivery, Idea, Signal, StatusChange, Vote
from portal.models import Role, User
from tests import factories

pytestmark = pytest.mark.django_db

# The period every known-answer test asks about: 30 days, and the 30 before.
START, END = dt.date(2025, 3, 1), dt.date(2025, 3, 30)
PREVIOUS_START, PREVIOUS_END = dt.date(2025, 1, 30), dt.date(2025, 2, 28)
CURRENT_DAY, PREVIOUS_DAY = dt.date(2025, 3, 15), dt.date(2025, 2, 14)
PERIOD = {"start": START.isoformat(), "end": END.isoformat()}
URLS = ("ideas:insights", "ideas:insights_report", "ideas:insights_csv", "ideas:insights_pptx")
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
emails = itertools.count()


def at(day: dt.date, hour: int = 12, minute: int = 0, second: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute, second)))


def add_votes(idea: Idea, day: dt.date, n: int, account=None, when=None) -> None:
    """`n` votes for `idea` on `day`, by new customers of `account`, in three queries."""
    users = User.objects.bulk_create(
        [
            User(email=f"voter{next(emails)}@votes.example", role=Role.CUSTOMER, account=account)
            for _ in range(n)
        ]
    )
    made = Vote.objects.bulk_create([Vote(idea=idea, user=user) for user in users])
    # created_at is auto_now_add: date the rows after they exist.
    Vote.objects.filter(pk__in=[v.pk for v in made]).update(created_at=when or at(day))


def add_signals(idea: Idea | None, day: dt.date, n: int, account, rep, **fields) -> list[Signal]:
    fields = {"deal_stage": "", "opportunity_value": None, **fields}
    return [
        factories.SignalFactory(
            idea=idea, heard_on=day, account=account, captured_by=rep, **fields
        )
        for _ in range(n)
    ]


def compute(**params) -> insights.Insights:
    query = insights.InsightsQuery(
        insights.Period(params.pop("start", START), params.pop("end", END)),
        insights.Filters(**{k: params.pop(k) for k in list(params) if k in FILTER_NAMES}),
        **params,
    )
    return insights.compute(query)


FILTER_NAMES = ("segment", "region", "plan", "lifecycle", "category")


def by_label(changes: list[insights.Change]) -> dict[str, insights.Change]:
    return {change.label: change for change in changes}


def flagged(changes: list[insights.Change]) -> set[str]:
    return {change.label for change in changes if change.flagged}


@pytest.fixture
def rep():
    return factories.SalesFactory()


@pytest.fixture
def tech():
    return factories.AccountFactory(
        name="Techno",
        segment=Segment.TECHNOLOGY,
        region=Region.EMEA,
        plan=Plan.BUSINESS,
        lifecycle=Lifecycle.CUSTOMER,
        arr=Decimal("100000"),
    )


@pytest.fixture
def bank():
    return factories.AccountFactory(
        name="Bank",
        segment=Segment.FINANCIAL,
        region=Region.NORTH_AMERICA,
        plan=Plan.ENTERPRISE,
        lifecycle=Lifecycle.PROSPECT,
        arr=Decimal("50000"),
    )


@pytest.fixture
def known(tech, rep):
    """One category rising from 2 to 30 events, one flat with noise (10 to 12), and one idea
    with too few events to test (1 to 3)."""
    rising = factories.CategoryFactory(name="Rising", slug="rising")
    flat = factories.CategoryFactory(name="Flat", slug="flat")
    quiet = factories.CategoryFactory(name="Quiet", slug="quiet")
    sso, mobile = (
        factories.TagFactory(name="sso", slug="sso"),
        factories.TagFactory(name="mobile", slug="mobile"),
    )
    up = factories.IdeaFactory(title="Single sign-on", category=rising)
    up.tags.add(sso)
    steady = factories.IdeaFactory(title="Offline mode", category=flat)
    steady.tags.add(mobile)
    few = factories.IdeaFactory(title="Dark theme", category=quiet)
    add_votes(up, PREVIOUS_DAY, 2, tech)
    add_votes(up, CURRENT_DAY, 20, tech)
    add_signals(up, CURRENT_DAY, 10, tech, rep)
    add_votes(steady, PREVIOUS_DAY, 6, tech)
    add_signals(steady, PREVIOUS_DAY, 4, tech, rep)
    add_votes(steady, CURRENT_DAY, 7, tech)
    add_signals(steady, CURRENT_DAY, 5, tech, rep)
    add_votes(few, PREVIOUS_DAY, 1, tech)
    add_votes(few, CURRENT_DAY, 3, tech)
    return {"up": up, "steady": steady, "few": few}


# Access


@pytest.mark.parametrize("persona", ["customer", "sales"])
def test_customers_and_sales_get_404_on_every_insights_url(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    for name in URLS:
        assert client.get(reverse(name)).status_code == 404, name


def test_visitors_get_404_on_every_insights_url(client):
    for name in URLS:
        assert client.get(reverse(name)).status_code == 404, name


@pytest.mark.parametrize("persona", ["pm", "staff", "admin_user"])
def test_pms_staff_and_admins_get_every_insights_url(request, client_for, persona, known):
    client = client_for(request.getfixturevalue(persona))
    for name in URLS:
        response = client.get(reverse(name), PERIOD)
        assert response.status_code == 200, name


def test_insights_only_answer_get(client_for, pm):
    for name in URLS:
        assert client_for(pm).post(reverse(name), PERIOD).status_code == 405


# Known answers: rising and cooling


def test_the_exact_binomial_test_matches_the_formula():
    p_value, ratio, low, high = insights.binomial_test(30, 2)
    # Two-sided: 2 × P(X ≥ 30) for X ~ Binomial(32, ½).
    exact = 2 * sum(math.comb(32, k) for k in (30, 31, 32)) / 2**32
    assert p_value == pytest.approx(exact, rel=1e-9)
    assert ratio == 15
    assert 3.5 < low < 15 < high
    assert insights.binomial_test(12, 10)[0] == pytest.approx(0.8318, abs=1e-4)


def test_benjamini_hochberg_adjusts_within_the_family():
    changes = [
        insights.Change(key=i, label=str(i), current=c, previous=p)
        for i, (c, p) in enumerate([(30, 2), (12, 10), (9, 1)])
    ]
    insights.test_changes(changes)
    p_values = [c.p_value for c in changes]
    # BH: q of the k-th smallest p is min over j ≥ k of p_(j) × m / j.
    ordered = sorted(p_values)
    expected = [min(1.0, min(ordered[j] * 3 / (j + 1) for j in range(k, 3))) for k in range(3)]
    assert sorted(c.q_value for c in changes) == pytest.approx(expected)


def test_a_significant_rise_is_flagged_and_noise_is_not(known):
    result = compute()
    movers = result.movers
    assert flagged(movers.categories) == {"Rising"}
    assert flagged(movers.ideas) == {"Single sign-on"}
    assert flagged(movers.tags) == {"sso"}
    categories = by_label(movers.categories)
    assert (categories["Rising"].previous, categories["Rising"].current) == (2, 30)
    assert categories["Rising"].direction == "rising"
    assert categories["Rising"].p_value == pytest.approx(1058 / 2**32)
    assert (categories["Flat"].previous, categories["Flat"].current) == (10, 12)
    assert categories["Flat"].tested and not categories["Flat"].flagged
    assert categories["Flat"].q_value > 0.5
    # Too few events (1 then 3) to test at all: not flagged, whatever the ratio.
    assert not categories["Quiet"].tested and not categories["Quiet"].flagged
    assert (movers.previous, movers.current) == (13, 45)


def test_a_significant_fall_is_flagged_as_cooling(tech, rep):
    idea = factories.IdeaFactory(title="Gantt charts")
    add_votes(idea, PREVIOUS_DAY, 25, tech)
    add_votes(idea, CURRENT_DAY, 3, tech)
    (change,) = compute().movers.ideas
    assert change.flagged and change.direction == "cooling"
    assert change.ratio == pytest.approx(3 / 25)
    assert change.ratio_high < 1


def test_arr_weighting_ranks_by_revenue_but_flags_by_events(known, bank, rep):
    # A big account's single signal moves the ARR-weighted demand but is one event.
    whale = factories.AccountFactory(segment=Segment.RETAIL, arr=Decimal("5000000"))
    add_signals(known["few"], CURRENT_DAY, 1, whale, rep)
    by_events = compute()
    by_arr = compute(weight="arr")
    assert flagged(by_arr.movers.ideas) == flagged(by_events.movers.ideas) == {"Single sign-on"}
    assert by_arr.movers.shown["categories"][0].label == "Rising"  # flagged come first
    quiet = by_label(by_arr.movers.categories)["Quiet"]
    assert quiet.delta == pytest.approx(5_000_000 + 2 * 100_000)
    assert quiet.current_arr == Decimal("5300000")


def test_period_boundaries_are_whole_days_and_the_previous_period_is_as_long(tech, rep):
    idea = factories.IdeaFactory()
    inside = [
        at(START, 0, 0, 0),
        at(END, 23, 59, 59),
    ]
    before = [at(PREVIOUS_END, 23, 59, 59), at(PREVIOUS_START, 0, 0, 0)]
    outside = [
        at(END + dt.timedelta(days=1), 0, 0, 0),
        at(PREVIOUS_START, 0, 0, 0) - dt.timedelta(seconds=1),
    ]
    for moment in inside + before + outside:
        add_votes(idea, moment.date(), 1, tech, when=moment)
    for day in (START, END, PREVIOUS_END, PREVIOUS_START):
        add_signals(idea, day, 1, tech, rep)
    for day in (END + dt.timedelta(days=1), PREVIOUS_START - dt.timedelta(days=1)):
        add_signals(idea, day, 1, tech, rep)
    period = insights.Period(START, END)
    assert period.days == 30 and period.previous == insights.Period(PREVIOUS_START, PREVIOUS_END)
    result = compute()
    assert (result.movers.current, result.movers.previous) == (4, 4)
    assert result.top.ideas[0].votes == 2 and result.top.ideas[0].signals == 2


# Known answers: revenue at stake


def test_arr_counts_each_account_once_and_deals_once_per_account(tech, bank, rep):
    idea = factories.IdeaFactory(title="Audit log")
    other = factories.IdeaFactory(title="Webhooks")
    add_votes(idea, CURRENT_DAY, 3, tech)
    add_signals(
        idea,
        CURRENT_DAY,
        1,
        tech,
        rep,
        deal_stage=DealStage.OPEN,
        opportunity_value=Decimal("40000"),
        importance=Importance.DEAL_BREAKER,
    )
    add_signals(
        idea,
        CURRENT_DAY,
        1,
        tech,
        rep,
        deal_stage=DealStage.OPEN,
        opportunity_value=Decimal("60000"),
    )
    add_signals(
        idea,
        CURRENT_DAY,
        1,
        bank,
        rep,
        deal_stage=DealStage.PROSPECT,
        opportunity_value=Decimal("10000"),
    )
    add_signals(
        idea,
        CURRENT_DAY,
        1,
        bank,
        rep,
        deal_stage=DealStage.WON,
        opportunity_value=Decimal("999000"),
    )
    add_votes(other, CURRENT_DAY, 2, tech)
    top = compute().top
    audit = next(i for i in top.ideas if i.title == "Audit log")
    assert audit.accounts == 2
    assert audit.arr == Decimal("150000")  # 100k + 50k, not 100k × 5 events
    assert audit.open_deals == 2 and audit.open_value == Decimal("70000")  # 60k + 10k
    assert audit.at_stake == Decimal("220000")
    assert audit.deal_breakers == 1
    assert (audit.votes, audit.signals) == (3, 4)
    assert top.ideas[0].title == "Audit log"
    # Across ideas the same two accounts are still two, with 150k ARR.
    assert (top.accounts, top.arr, top.deal_breakers) == (2, Decimal("150000"), 1)


# Filters


def test_filters_narrow_the_data(tech, bank, rep):
    security = factories.CategoryFactory(name="Security", slug="security")
    mobile = factories.CategoryFactory(name="Mobile", slug="mobile")
    sso = factories.IdeaFactory(title="SSO", category=security)
    app = factories.IdeaFactory(title="App", category=mobile)
    add_votes(sso, CURRENT_DAY, 4, tech)
    add_signals(sso, CURRENT_DAY, 2, bank, rep)
    add_votes(app, CURRENT_DAY, 3, bank)
    assert compute().movers.current == 9
    assert compute(segment=Segment.FINANCIAL).movers.current == 5
    assert compute(region=Region.EMEA).movers.current == 4
    assert compute(plan=Plan.ENTERPRISE).movers.current == 5
    assert compute(lifecycle=Lifecycle.PROSPECT).movers.current == 5
    assert compute(category="mobile").movers.current == 3
    assert compute(segment=Segment.FINANCIAL, category="security").movers.current == 2
    narrowed = compute(segment=Segment.FINANCIAL)
    assert narrowed.top.accounts == 1 and narrowed.top.arr == Decimal("50000")
    assert {i.title for i in narrowed.top.ideas} == {"SSO", "App"}


def test_filters_from_the_page_reach_the_figures(client_for, pm, tech, bank):
    idea = factories.IdeaFactory()
    add_votes(idea, CURRENT_DAY, 4, tech)
    add_votes(idea, CURRENT_DAY, 1, bank)
    response = client_for(pm).get(reverse("ideas:insights"), {**PERIOD, "segment": "financial"})
    assert response.status_code == 200
    assert response.context["insights"].movers.current == 1
    assert "Segment: Financial services" in response.content.decode()


# Interest by segment, chatter, the mesh, decisions, sentiment


def test_interest_heat_map_and_the_busiest_segment_compared(known, bank, rep):
    add_votes(known["steady"], CURRENT_DAY, 2, bank)
    interest = compute().interest
    assert interest.focus == Segment.TECHNOLOGY  # 45 events against 2
    assert interest.value(known["up"].category_id, Segment.TECHNOLOGY) == 30
    assert interest.value(known["steady"].category_id, Segment.FINANCIAL) == 2
    assert flagged(interest.focus_changes) == {"Rising"}
    assert [label for _, label in interest.segments] == ["Technology", "Financial services"]
    chosen = compute(focus=Segment.FINANCIAL).interest
    assert chosen.focus == Segment.FINANCIAL and not flagged(chosen.focus_changes)


def test_chatter_groups_competitor_names_and_keeps_the_latest_verbatims(tech, bank, rep):
    for name in ("Asana", "Asana ", "asana", "Wrike"):
        add_signals(None, CURRENT_DAY, 1, tech, rep, kind=SignalKind.COMPETITOR, competitor=name)
    add_signals(None, CURRENT_DAY, 2, bank, rep, kind=SignalKind.PRICING, verbatim="Too dear.")
    add_signals(None, END, 1, bank, rep, kind=SignalKind.LOSS_REASON, verbatim="Lost to Asana.")
    add_signals(None, PREVIOUS_DAY, 5, bank, rep, kind=SignalKind.PRICING)  # before: not shown
    chatter = compute().chatter
    assert chatter.competitors == [("Asana", 3), ("Wrike", 1)]
    assert chatter.totals == {"competitor": 4, "pricing": 2, "loss_reason": 1}
    assert chatter.by_segment["financial"] == {"pricing": 2, "loss_reason": 1}
    assert [v.text for v in chatter.verbatims["loss_reason"]] == ["Lost to Asana."]
    assert len(chatter.verbatims["competitor"]) == insights.VERBATIMS_PER_KIND
    week = insights.Period(START, END).buckets()
    assert sum(chatter.over_time[("pricing", "")].get(b, 0) for b in week) == 2


def test_the_mesh_counts_sources_and_which_ones_lead_to_decisions(pm, tech, rep):
    from_sales = factories.IdeaFactory(source=IdeaSource.SALES)
    from_forum = factories.IdeaFactory()
    add_signals(from_sales, CURRENT_DAY, 2, tech, rep)
    add_votes(from_forum, CURRENT_DAY, 3, tech)
    planned = factories.StatusChangeFactory(
        idea=from_sales, actor=pm, from_status=Status.UNDER_REVIEW, to_status=Status.PLANNED
    )
    StatusChange.objects.filter(pk=planned.pk).update(created_at=at(CURRENT_DAY))
    Idea.objects.filter(pk__in=[from_sales.pk, from_forum.pk]).update(created_at=at(CURRENT_DAY))
    mesh = compute().mesh
    assert mesh.totals["sales"] == 2 + 1  # two signals and the idea a rep raised
    assert mesh.totals["customer"] == 3 + 1  # three votes and the forum idea
    outcomes = {o.source: o for o in mesh.outcomes}
    assert (outcomes["sales"].ideas, outcomes["sales"].adopted) == (1, 1)
    assert (outcomes["customer"].ideas, outcomes["customer"].adopted) == (1, 0)
    assert outcomes["sales"].adopted_share == 1.0


def test_the_mesh_counts_each_ideas_latest_decision_by_the_end_of_the_period(pm, tech):
    reversed_, later = factories.IdeaFactory(), factories.IdeaFactory()
    for idea in (reversed_, later):
        add_votes(idea, CURRENT_DAY, 2, tech)
    for idea, status, day in (
        (reversed_, Status.PLANNED, PREVIOUS_DAY),
        (reversed_, Status.DECLINED, CURRENT_DAY),  # the latest: declined
        (later, Status.SHIPPED, END + dt.timedelta(days=3)),  # after the period: not yet
    ):
        change = factories.StatusChangeFactory(idea=idea, actor=pm, to_status=status)
        StatusChange.objects.filter(pk=change.pk).update(created_at=at(day))
    outcome = {o.source: o for o in compute().mesh.outcomes}["customer"]
    assert (outcome.ideas, outcome.adopted, outcome.declined) == (2, 0, 1)


def test_decisions_in_the_period_and_time_to_first_decision(pm):
    def decide(idea: Idea, to: str, day: dt.date, explanation: str = "") -> None:
        change = factories.StatusChangeFactory(
            idea=idea, actor=pm, kind=ActivityKind.STATUS, to_status=to, explanation=explanation
        )
        StatusChange.objects.filter(pk=change.pk).update(created_at=at(day))

    ideas = [factories.IdeaFactory(title=f"Idea {n}") for n in range(3)]
    for idea, age in zip(ideas, (10, 20, 40), strict=True):
        Idea.objects.filter(pk=idea.pk).update(created_at=at(CURRENT_DAY - dt.timedelta(days=age)))
    decide(ideas[0], Status.PLANNED, CURRENT_DAY, "On the roadmap.")
    decide(ideas[1], Status.DECLINED, CURRENT_DAY, "Not for us.")
    decide(ideas[2], Status.PLANNED, PREVIOUS_DAY)  # decided before: not its first now
    decide(ideas[2], Status.SHIPPED, CURRENT_DAY, "Live.")
    decide(ideas[0], Status.UNDER_REVIEW, CURRENT_DAY)  # not a decision
    decisions = compute().decisions
    assert decisions.counts == {"planned": 1, "declined": 1, "shipped": 1}
    assert decisions.total == 3
    assert decisions.decided_ideas == 2
    assert decisions.median_days == pytest.approx(15)  # first decisions after 10 and 20 days
    assert decisions.p75_days == pytest.approx(17.5)
    assert {d.explanation for d in decisions.recent} == {"On the roadmap.", "Not for us.", "Live."}


def test_account_filters_keep_decisions_on_ideas_with_evidence_from_such_accounts(
    pm, tech, bank, rep
):
    by_bank_vote, by_bank_signal, by_tech = (factories.IdeaFactory() for _ in range(3))
    add_votes(by_bank_vote, PREVIOUS_DAY, 1, bank)
    add_signals(by_bank_signal, PREVIOUS_DAY, 1, bank, rep)
    add_votes(by_tech, PREVIOUS_DAY, 1, tech)
    for idea in (by_bank_vote, by_bank_signal, by_tech):
        change = factories.StatusChangeFactory(idea=idea, actor=pm, to_status=Status.PLANNED)
        StatusChange.objects.filter(pk=change.pk).update(created_at=at(CURRENT_DAY))
    assert compute().decisions.total == 3
    narrowed = compute(segment=Segment.FINANCIAL).decisions
    assert narrowed.total == 2
    assert {d.idea_title for d in narrowed.recent} == {by_bank_vote.title, by_bank_signal.title}
    assert compute(plan=Plan.BUSINESS).decisions.total == 1


def test_sentiment_is_stored_once_by_the_services(customer, sales, tech):
    idea = factories.IdeaFactory()
    comment = services.comment_add(author=customer, idea=idea, body="I love this, it is great!")
    signal = services.signal_capture(
        captured_by=sales,
        account=tech,
        verbatim="This is terrible, slow and broken.",
        heard_on=CURRENT_DAY,
    )
    assert Comment.objects.get(pk=comment.pk).sentiment > 0.5
    assert Signal.objects.get(pk=signal.pk).sentiment < -0.5


def test_backfill_scores_only_what_has_no_sentiment(tech, rep):
    idea = factories.IdeaFactory()
    old = factories.CommentFactory(idea=idea, body="Wonderful, thank you!")
    kept = factories.CommentFactory(idea=idea, body="Awful.", sentiment=0.5)
    (signal,) = add_signals(idea, CURRENT_DAY, 1, tech, rep, verbatim="Horrible and useless.")
    call_command("backfill_sentiment", stdout=io.StringIO())
    assert Comment.objects.get(pk=old.pk).sentiment > 0.5
    assert Comment.objects.get(pk=kept.pk).sentiment == 0.5
    assert Signal.objects.get(pk=signal.pk).sentiment < -0.5


def test_sentiment_panel_aggregates_the_stored_scores(tech, bank, rep):
    idea = factories.IdeaFactory()
    for score, account in ((0.8, tech), (0.6, tech), (-0.7, bank), (0.0, bank)):
        add_signals(idea, CURRENT_DAY, 1, account, rep, sentiment=score, verbatim=f"said {score}")
    staff_reply = factories.CommentFactory(idea=idea, author=factories.PMFactory(), sentiment=1)
    Comment.objects.filter(pk=staff_reply.pk).update(created_at=at(CURRENT_DAY))
    sentiment = compute().sentiment
    overall = sentiment.overall
    assert (overall.scored, overall.positive, overall.negative, overall.neutral) == (4, 2, 1, 1)
    assert overall.average == pytest.approx(0.175)  # the PM's reply is not a customer's voice
    assert sentiment.by_segment["technology"].average == pytest.approx(0.7)
    assert [v.text for v in sentiment.positive_examples] == ["said 0.8", "said 0.6"]
    assert [v.text for v in sentiment.negative_examples] == ["said -0.7"]


# Validation


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2025-13-01", "end": "2025-03-30"}, "Enter a date as YYYY-MM-DD"),
        ({"start": "yesterday", "end": "2025-03-30"}, "Enter a date as YYYY-MM-DD"),
        ({"start": "2025-03-30", "end": "2025-03-01"}, "The end date is before the start date."),
        ({"start": "2020-01-01", "end": "2025-03-01"}, "at most three years"),
        ({"range": "custom", "start": "2025-03-01"}, "Give both a start and an end date"),
        ({"range": "7"}, "Select a valid choice"),
        ({"segment": "martians"}, "Select a valid choice"),
    ],
)
def test_bad_questions_get_a_400_with_what_to_fix(client_for, pm, params, message):
    client = client_for(pm)
    response = client.get(reverse("ideas:insights"), params)
    assert response.status_code == 400
    assert message in response.content.decode()
    for name in URLS[1:]:
        response = client.get(reverse(name), params)
        assert response.status_code == 400, name
        assert message in response.content.decode(), name


def test_three_years_is_allowed(client_for, pm):
    params = {"start": "2022-03-01", "end": "2025-02-28"}
    assert client_for(pm).get(reverse("ideas:insights"), params).status_code == 200


def test_presets_compare_with_the_period_just_before(client_for, pm):
    response = client_for(pm).get(reverse("ideas:insights"), {"range": "30"})
    period = response.context["query"].period
    assert period.days == 30 and period.end == timezone.localdate()
    assert period.previous.end == period.start - dt.timedelta(days=1)


# Exports


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_the_csv_is_guarded_against_formula_injection(client_for, pm, tech, rep):
    idea = factories.IdeaFactory(title='=HYPERLINK("http://evil.example","Click")')
    add_votes(idea, CURRENT_DAY, 2, tech)
    add_signals(
        idea,
        CURRENT_DAY,
        1,
        tech,
        rep,
        kind=SignalKind.COMPETITOR,
        competitor="@SUM(A1:A9)",
        verbatim="+1 555 0100 call me",
        sentiment=-0.4,
    )
    add_signals(idea, CURRENT_DAY, 1, tech, rep, kind=SignalKind.PRICING, verbatim="-cmd|calc")
    response = client_for(pm).get(reverse("ideas:insights_csv"), PERIOD)
    assert response["Content-Type"].startswith("text/csv")
    assert (
        'filename="lode-insights-2025-03-01-to-2025-03-30.csv"' in response["Content-Disposition"]
    )
    rows = csv_rows(response)
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://evil.example","Click")' in cells
    assert "'@SUM(A1:A9)" in cells
    assert "'+1 555 0100 call me" in cells
    assert "'-cmd|calc" in cells
    dangerous = [c for c in cells if c and c[0] in "=+-@\t\r" and not is_number(c)]
    assert dangerous == []
    assert ["period_start", "2025-03-01"] in rows


def test_the_deck_has_a_title_slide_and_one_slide_per_panel_with_a_native_chart(
    client_for, pm, known
):
    response = client_for(pm).get(reverse("ideas:insights_pptx"), PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    )
    deck = Presentation(io.BytesIO(response.content))
    slides = list(deck.slides)
    panels = compute().panels
    assert len(slides) == 1 + len(panels)
    title_text = " ".join(s.text_frame.text for s in slides[0].shapes if s.has_text_frame)
    assert "1 Mar 2025 – 30 Mar 2025" in title_text
    for slide, panel in zip(slides[1:], panels, strict=True):
        texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        assert panel.title in texts
        charts = [shape.chart for shape in slide.shapes if shape.has_chart]
        assert charts, panel.title
    movers = next(
        s
        for s in slides
        if "Rising and cooling" in [sh.text_frame.text for sh in s.shapes if sh.has_text_frame]
    )
    categories = [sh.chart for sh in movers.shapes if sh.has_chart][1]
    assert categories.plots[0].categories[0] == "Rising"
    assert categories.plots[0].series[0].values[0] == 28


def test_the_report_page_is_printable_with_every_panel(client_for, pm, known):
    response = client_for(pm).get(reverse("ideas:insights_report"), PERIOD)
    content = response.content.decode()
    for panel in response.context["insights"].panels:
        assert f'id="panel-{panel.key}"' in content
    assert "css/insights.css" in content and "Print or save as PDF" in content


def test_charts_are_data_attributes_not_inline_scripts(client_for, pm, known):
    content = client_for(pm).get(reverse("ideas:insights"), PERIOD).content.decode()
    # Eleven charts: drawn from data-chart attributes, or a note where there is nothing to draw.
    assert content.count("data-chart=") >= 5
    assert content.count("data-chart=") + content.count("Nothing to chart") == 11
    assert "<script>" not in content and "style=" not in content


# The weekly digest


@pytest.fixture
def deciders():
    return [
        factories.PMFactory(email="pam@lode.example"),
        factories.PMFactory(email="piet@lode.example"),
        factories.AdminFactory(email="ada@lode.example"),
    ]


@pytest.mark.django_db(transaction=True)
def test_the_digest_goes_through_the_real_database_worker_once_per_pm(settings, deciders):
    settings.TASKS = DB_TASKS
    factories.PMFactory(email="gone@lode.example", is_active=False)
    factories.StaffFactory(email="stella@lode.example")
    idea = factories.IdeaFactory(title="EU data residency")
    account = factories.AccountFactory(name="Kestrel Logistics")
    factories.SignalFactory(idea=idea, account=account, importance=Importance.DEAL_BREAKER)
    call_command("send_insights_digest", stdout=io.StringIO())
    digests = DBTaskResult.objects.filter(task_path="ideas.tasks.send_insights_digest")
    assert digests.count() == 3
    assert mail.outbox == []  # queued, not sent
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in deciders)
    message = mail.outbox[0]
    assert message.subject.startswith("Lode insights: week of")
    assert "Kestrel Logistics" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Kestrel Logistics" in html
    assert DigestDelivery.objects.count() == 3
    # Queued again the same week (a retried cron job): nobody gets a second email.
    call_command("send_insights_digest", stdout=io.StringIO())
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert len(mail.outbox) == 3
    assert set(digests.values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_sending_the_digest_twice_sends_once(pm):
    week = insights.week_of(timezone.localdate())
    assert insights.send_digest(user_id=pm.pk, week=week) is True
    assert insights.send_digest(user_id=pm.pk, week=week) is False
    assert len(mail.outbox) == 1
    # Next week is another digest.
    assert insights.send_digest(user_id=pm.pk, week=week + dt.timedelta(days=7)) is True


def test_only_active_pms_and_admins_get_the_digest(customer, staff):
    week = insights.week_of(timezone.localdate())
    assert insights.send_digest(user_id=customer.pk, week=week) is False
    assert insights.send_digest(user_id=staff.pk, week=week) is False
    assert mail.outbox == []


def test_the_digest_lists_significant_movers(pm, known):
    content = insights.digest(today=END + dt.timedelta(days=1))
    assert [(level, c.label) for level, c in content.rising] == [
        ("Idea", "Single sign-on"),
        ("Category", "Rising"),
        ("Tag", "sso"),
    ]
    message = insights.digest_email(pm, content)
    assert "Single sign-on" in message.body


# Query count

# Session, user, categories for the form and the cache read; on a miss, insights.compute
# (its transaction: a savepoint inside the test's, SET LOCAL work_mem, and the release; then
# demand changes, top ideas, chatter and its verbatims, the mesh, decision figures and the
# latest decisions, sentiment figures and examples) and the cache write (the database cache:
# a count for its cull, a savepoint, a look-up, the insert, the release). The same however
# much data there is; a hit is the first four only (tests/test_insights_cache.py). The first
# page view of freshly computed figures also writes the panels' HTML back into the entry
# (insights.remember_html: the same five queries again); every later view reuses it.
INSIGHTS_QUERIES = 26
INSIGHTS_QUERIES_CACHED = 4
INSIGHTS_QUERIES_FIRST_VIEW = INSIGHTS_QUERIES_CACHED + 5


def grow(n: int, rep) -> None:
    for i in range(n):
        account = factories.AccountFactory(segment=list(Segment.values)[i % 8])
        idea = factories.IdeaFactory(category=factories.CategoryFactory(slug=f"c{i % 4}"))
        add_votes(idea, CURRENT_DAY, 3, account)
        add_votes(idea, PREVIOUS_DAY, 2, account)
        add_signals(
            idea,
            CURRENT_DAY,
            1,
            account,
            rep,
            kind=SignalKind.COMPETITOR,
            competitor=f"Rival {i}",
            sentiment=0.3,
        )
        factories.CommentFactory(idea=idea, sentiment=-0.2)
        change = factories.StatusChangeFactory(idea=idea, to_status=Status.PLANNED)
        StatusChange.objects.filter(pk=change.pk).update(created_at=at(CURRENT_DAY))


def test_the_page_takes_a_fixed_number_of_queries(
    client_for, pm, rep, django_assert_max_num_queries
):
    client = client_for(pm)
    grow(2, rep)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("ideas:insights"), PERIOD).status_code == 200
    cache.clear()  # the figures are cached: compute them again at the larger size
    grow(12, rep)
    with django_assert_max_num_queries(INSIGHTS_QUERIES):
        response = client.get(reverse("ideas:insights"), PERIOD)
    assert response.status_code == 200
    assert len(small.captured_queries) == INSIGHTS_QUERIES
    assert response.context["insights"].movers.current == 14 * 4
    with django_assert_max_num_queries(INSIGHTS_QUERIES_CACHED):
        cached = client.get(reverse("ideas:insights"), PERIOD)
    assert cached.context["insights"].movers.current == 14 * 4


def test_the_statistics_match_scipy_stats_reference_implementations():
    """binomial_tests and benjamini_hochberg use scipy.special (a third of scipy.stats'
    memory); they must give what scipy.stats' binomial, beta and BH functions give."""
    import numpy as np
    from scipy.stats import beta, binom, false_discovery_control

    rng = np.random.default_rng(7)
    current, previous = rng.integers(0, 500, 2000), rng.integers(0, 500, 2000)
    keep = current + previous >= insights.MIN_EVENTS
    current, previous = current[keep], previous[keep]
    results = insights.binomial_tests(current.tolist(), previous.tolist())
    x, n = current.astype(float), (current + previous).astype(float)
    p_ref = np.minimum(1.0, 2 * binom.cdf(np.minimum(x, n - x), n, 0.5))
    low_ref = np.where(x > 0, beta.ppf(0.025, x, n - x + 1), 0.0)
    assert np.allclose([r[0] for r in results], p_ref, rtol=1e-9, atol=1e-12)
    assert np.allclose([r[2] for r in results], low_ref / (1 - low_ref), rtol=1e-9)
    p_values = rng.random(500) ** 4
    assert np.allclose(
        insights.benjamini_hochberg(p_values), false_discovery_control(p_values, method="bh")
    )
    assert insights.benjamini_hochberg([]) == []


@pytest.mark.parametrize("tested_every", [5, 1000])
def test_pruning_untested_idea_changes_shows_the_same_movers(monkeypatch, tested_every):
    """demand_changes keeps only the untested idea changes movers() could show; the panel
    must read exactly as if every change had been kept (with many tested changes, and with
    so few that untested ones fill the panel)."""
    import random

    rng = random.Random(3)
    rows = [("all", "all", "", "All demand", "", 900, 700, Decimal(0), Decimal(0))]
    for pk in range(1, 3001):
        small = pk % tested_every != 0  # most ideas have too few events to test
        cur, prev = (rng.randint(0, 3), rng.randint(0, 1)) if small else (
            rng.randint(3, 9), rng.randint(2, 8))  # fmt: skip
        rows.append(("idea", pk, "", f"Idea {pk:04d}", f"idea-{pk}", cur, prev, 0, 0))
    monkeypatch.setattr(insights, "fetch_iter", lambda sql, params: iter(rows))
    query = insights.InsightsQuery(insights.Period.last(30))

    pruned = insights.demand_changes(query)["families"]["idea"]

    everything = [
        insights.Change(key=k, label=label, current=c, previous=p, slug=slug)
        for dim, k, _, label, slug, c, p, *_ in rows
        if dim == "idea"
    ]
    insights.test_changes(everything)
    assert len(pruned) < len(everything) / 3
    shown = [(c.key, c.q_value) for c in insights.movers(pruned)]
    if tested_every == 1000:  # the panel is mostly untested changes here
        assert sum(q is None for _, q in shown) >= 5
    assert shown == [(c.key, c.q_value) for c in insights.movers(everything)]
    flagged = [c.key for c in insights.movers(pruned, None) if c.flagged]
    assert flagged == [c.key for c in insights.movers(everything, None) if c.flagged]
