"""Insights from the cache: the same figures as a fresh computation, a new vote visible after
"Refresh now", after MAX_AGE and after the worker's refresh, the "as of" line, a fixed and
small query count on a hit, and a warm cache that still answers 404 to everyone else."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ideas import insights, tasks
from ideas.choices import Segment, SignalKind
from ideas.models import Vote
from portal.models import Role, User
from tests import factories
from tests.test_insights import INSIGHTS_QUERIES_CACHED, INSIGHTS_QUERIES_FIRST_VIEW

pytestmark = pytest.mark.django_db

START, END = dt.date(2025, 3, 1), dt.date(2025, 3, 30)
CURRENT_DAY, PREVIOUS_DAY = dt.date(2025, 3, 15), dt.date(2025, 2, 14)
PERIOD = {"start": START.isoformat(), "end": END.isoformat()}
QUERY = insights.InsightsQuery(insights.Period(START, END))
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
emails = itertools.count()


def add_votes(idea, day: dt.date, n: int, account) -> None:
    users = User.objects.bulk_create(
        [
            User(email=f"cached{next(emails)}@votes.example", role=Role.CUSTOMER, account=account)
            for _ in range(n)
        ]
    )
    made = Vote.objects.bulk_create([Vote(idea=idea, user=user) for user in users])
    noon = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    Vote.objects.filter(pk__in=[v.pk for v in made]).update(created_at=noon)


@pytest.fixture
def demand():
    """Two ideas in two categories, one rising, with signals, comments and a decision."""
    rep = factories.SalesFactory()
    tech = factories.AccountFactory(segment=Segment.TECHNOLOGY, arr=Decimal("100000"))
    bank = factories.AccountFactory(segment=Segment.FINANCIAL, arr=Decimal("50000"))
    up = factories.IdeaFactory(
        title="Single sign-on", category=factories.CategoryFactory(name="Security")
    )
    up.tags.add(factories.TagFactory(name="sso", slug="sso"))
    steady = factories.IdeaFactory(
        title="Offline mode", category=factories.CategoryFactory(name="Mobile")
    )
    add_votes(up, PREVIOUS_DAY, 2, tech)
    add_votes(up, CURRENT_DAY, 25, tech)
    add_votes(steady, PREVIOUS_DAY, 8, bank)
    add_votes(steady, CURRENT_DAY, 9, bank)
    for account in (tech, bank):
        factories.SignalFactory(
            idea=up,
            heard_on=CURRENT_DAY,
            account=account,
            captured_by=rep,
            kind=SignalKind.COMPETITOR,
            competitor="Rival",
            deal_stage="open",
            opportunity_value=Decimal("20000"),
            sentiment=0.4,
        )
    factories.CommentFactory(idea=steady, sentiment=-0.3)
    return {"up": up, "steady": steady, "tech": tech}


def figures(result: insights.Insights) -> list:
    """Everything a view shows: each panel's summary, charts and tables."""
    return [
        (
            panel.title,
            panel.summary,
            [chart.as_json() for chart in panel.charts()],
            [(table.title, table.columns, table.rows) for table in panel.tables()],
        )
        for panel in result.panels
    ]


def later(monkeypatch, seconds: float) -> None:
    """Move the clock forward for the app and for the database cache's expiry alike."""
    now = timezone.now() + dt.timedelta(seconds=seconds)
    monkeypatch.setattr(timezone, "now", lambda: now)


def test_cached_figures_are_the_figures_of_a_fresh_computation(demand):
    fresh = insights.compute(QUERY)
    stored = insights.cached(QUERY)  # a miss: computed and stored
    hit = insights.cached(QUERY)  # read back from the cache
    assert hit is not stored  # unpickled, not the same object
    assert figures(hit) == figures(stored) == figures(fresh)
    assert hit.movers.current == 25 + 2 + 9
    assert hit.description == fresh.description
    assert hit.generated_at == stored.generated_at


def test_the_cache_keeps_only_what_the_views_show_with_the_same_summary(demand):
    # Many ideas with a change: the cached panel keeps the ten shown, and the counts.
    tech = demand["tech"]
    for i in range(14):
        add_votes(factories.IdeaFactory(title=f"Idea {i}"), CURRENT_DAY, 1 + i % 3, tech)
    fresh = insights.compute(QUERY)
    compact = fresh.compact()
    assert len(fresh.movers.ideas) == 16
    assert len(compact.movers.ideas) == insights.MOVERS_SHOWN
    assert compact.movers.summary == fresh.movers.summary
    assert figures(compact) == figures(fresh)


def test_each_question_has_its_own_entry_and_nobody_has_their_own():
    keys = {
        insights.cache_key(QUERY),
        insights.cache_key(insights.InsightsQuery(insights.Period(START, END), weight="arr")),
        insights.cache_key(
            insights.InsightsQuery(insights.Period(START, END), insights.Filters(plan="business"))
        ),
        insights.cache_key(insights.InsightsQuery(insights.Period(START, END), focus="financial")),
        insights.cache_key(insights.InsightsQuery(insights.Period(START, END - dt.timedelta(1)))),
    }
    assert len(keys) == 5
    # The same question has the same key: the figures do not depend on who asks.
    assert insights.cache_key(insights.InsightsQuery(insights.Period(START, END))) in keys


def test_the_page_from_the_cache_takes_a_small_fixed_number_of_queries(
    client_for, pm, demand, django_assert_num_queries
):
    client = client_for(pm)
    first = client.get(reverse("ideas:insights"), PERIOD)
    for i in range(10):  # more data changes nothing on a hit
        add_votes(factories.IdeaFactory(title=f"More {i}"), CURRENT_DAY, 3, demand["tech"])
    # Session, user, categories for the form, the cache read.
    with django_assert_num_queries(INSIGHTS_QUERIES_CACHED):
        response = client.get(reverse("ideas:insights"), PERIOD)
    assert response.status_code == 200
    assert figures(response.context["insights"]) == figures(first.context["insights"])
    # The report and both exports read the same entry.
    for name in ("ideas:insights_report", "ideas:insights_csv", "ideas:insights_pptx"):
        with django_assert_num_queries(INSIGHTS_QUERIES_CACHED):
            assert client.get(reverse(name), PERIOD).status_code == 200


def test_the_page_says_how_fresh_the_figures_are_and_offers_a_refresh(client_for, pm, demand):
    response = client_for(pm).get(reverse("ideas:insights"), PERIOD)
    result = response.context["insights"]
    as_of = timezone.localtime(result.generated_at)
    html = response.content.decode()
    assert f'Figures as of <time datetime="{as_of.isoformat()}">{as_of:%H:%M}</time>' in html
    assert "never more than 10 minutes old" in html
    refresh = reverse("ideas:insights_refresh") + f"?start={START}&amp;end={END}"
    assert f'<form method="post" action="{refresh.replace("?", "?range=custom&amp;")}"' in html
    assert "Refresh now" in html


def test_figures_from_before_midnight_say_which_day_they_are_from(
    client_for, pm, demand, monkeypatch
):
    client = client_for(pm)
    client.get(reverse("ideas:insights"), PERIOD)
    midnight = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time.min)
    )
    cached = insights.cached(QUERY)
    cached.generated_at = midnight - dt.timedelta(minutes=1)
    cache.set(insights.cache_key(QUERY), cached, 60)
    monkeypatch.setattr(timezone, "now", lambda: midnight + dt.timedelta(minutes=1))
    html = client.get(reverse("ideas:insights"), PERIOD).content.decode()
    as_of = timezone.localtime(cached.generated_at)
    assert f"{as_of:%-d %b}, 23:59</time>" in html


def test_a_new_vote_shows_after_refresh_now(client_for, pm, demand):
    client = client_for(pm)
    before = client.get(reverse("ideas:insights"), PERIOD).context["insights"]
    add_votes(demand["up"], CURRENT_DAY, 4, demand["tech"])
    cached = client.get(reverse("ideas:insights"), PERIOD).context["insights"]
    assert cached.movers.current == before.movers.current  # served from the cache
    response = client.post(reverse("ideas:insights_refresh") + f"?start={START}&end={END}")
    assert response.status_code == 302
    assert response["Location"] == reverse("ideas:insights") + (
        f"?range=custom&start={START}&end={END}"
    )
    after = client.get(response["Location"]).context["insights"]
    assert after.movers.current == before.movers.current + 4
    assert after.generated_at > before.generated_at


def test_a_new_vote_shows_once_the_figures_are_older_than_max_age(
    client_for, pm, demand, monkeypatch
):
    client = client_for(pm)
    before = client.get(reverse("ideas:insights"), PERIOD).context["insights"]
    add_votes(demand["up"], CURRENT_DAY, 4, demand["tech"])
    later(monkeypatch, insights.MAX_AGE - 1)
    assert client.get(reverse("ideas:insights"), PERIOD).context["insights"].movers.current == (
        before.movers.current
    )
    later(monkeypatch, 2)
    after = client.get(reverse("ideas:insights"), PERIOD).context["insights"]
    assert after.movers.current == before.movers.current + 4


def test_old_figures_queue_one_refresh_for_the_worker_which_shows_the_new_vote(
    client_for, pm, demand, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DB_TASKS
    client = client_for(pm)
    before = client.get(reverse("ideas:insights"), PERIOD).context["insights"]
    add_votes(demand["up"], CURRENT_DAY, 4, demand["tech"])
    queued = DBTaskResult.objects.filter(task_path="ideas.tasks.refresh_insights")
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("ideas:insights"), PERIOD)
    assert not queued.exists()  # still fresh
    later(monkeypatch, insights.REFRESH_AFTER + 1)
    with django_capture_on_commit_callbacks(execute=True):
        served = client.get(reverse("ideas:insights"), PERIOD).context["insights"]
        client.get(reverse("ideas:insights"), PERIOD)
    assert served.movers.current == before.movers.current  # the old figures meanwhile
    assert queued.count() == 1  # once, however many PMs look
    kwargs = queued.get().args_kwargs["kwargs"]
    assert kwargs == insights.task_arguments(QUERY)
    tasks.refresh_insights.call(**kwargs)  # what the worker runs
    after = client.get(reverse("ideas:insights"), PERIOD).context["insights"]
    assert after.movers.current == before.movers.current + 4


def test_the_command_keeps_the_preset_periods_warm(
    client_for, pm, demand, settings, django_assert_num_queries
):
    settings.TASKS = DB_TASKS
    call_command("refresh_insights", stdout=io.StringIO())
    queued = DBTaskResult.objects.filter(task_path="ideas.tasks.refresh_insights")
    assert sorted(
        (
            dt.date.fromisoformat(r["kwargs"]["end"]) - dt.date.fromisoformat(r["kwargs"]["start"])
        ).days
        + 1
        for r in queued.values_list("args_kwargs", flat=True)
    ) == [30, 90, 365]
    out = io.StringIO()
    call_command("refresh_insights", "--now", stdout=out)
    assert "Computed the last 365 days" in out.getvalue()
    client = client_for(pm)
    for days in ("30", "90", "365"):
        # Computed by the command; the first view renders the panels and keeps their HTML.
        with django_assert_num_queries(INSIGHTS_QUERIES_FIRST_VIEW):
            assert client.get(reverse("ideas:insights"), {"range": days}).status_code == 200
        with django_assert_num_queries(INSIGHTS_QUERIES_CACHED):
            assert client.get(reverse("ideas:insights"), {"range": days}).status_code == 200


@pytest.mark.parametrize("persona", ["customer", "sales"])
def test_a_warm_cache_still_answers_404_to_customers_and_sales(
    request, client_for, pm, demand, persona
):
    assert client_for(pm).get(reverse("ideas:insights"), PERIOD).status_code == 200
    client = client_for(request.getfixturevalue(persona))
    for name in ("ideas:insights", "ideas:insights_report", "ideas:insights_csv"):
        response = client.get(reverse(name), PERIOD)
        assert response.status_code == 404
        assert b"Single sign-on" not in response.content
    response = client.post(reverse("ideas:insights_refresh") + f"?start={START}&end={END}")
    assert response.status_code == 404


def test_visitors_cannot_read_or_refresh_a_warm_cache(client, client_for, pm, demand):
    client_for(pm).get(reverse("ideas:insights"), PERIOD)
    client.logout()
    assert client.get(reverse("ideas:insights"), PERIOD).status_code == 404
    assert client.post(reverse("ideas:insights_refresh")).status_code == 404


def test_refresh_now_is_post_only_and_checks_the_question(client_for, pm):
    client = client_for(pm)
    assert client.get(reverse("ideas:insights_refresh")).status_code == 405
    response = client.post(reverse("ideas:insights_refresh") + "?start=2025-03-30&end=2025-03-01")
    assert response.status_code == 400
    assert b"The end date is before the start date." in response.content


def test_the_page_works_when_the_cache_does_not(client_for, pm, demand, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "set", broken)
    response = client_for(pm).get(reverse("ideas:insights"), PERIOD)
    assert response.status_code == 200
    assert response.context["insights"].movers.current == 25 + 2 + 9


def test_the_panels_html_is_rendered_once_per_computation_and_shared(
    client_for, pm, staff, demand
):
    pm_page = client_for(pm).get(reverse("ideas:insights"), PERIOD)
    result = insights.cached(insights.InsightsQuery(insights.Period(START, END)))
    assert len(result.rendered) == 1  # kept with the figures
    (html,) = result.rendered.values()
    staff_page = client_for(staff).get(reverse("ideas:insights"), PERIOD)
    # Another person gets the same panels, with their own CSRF token in the refresh form.
    assert html in pm_page.text and html in staff_page.text
    assert "csrfmiddlewaretoken" not in html and "nonce" not in html
    assert pm_page.context["csrf_token"] != staff_page.context["csrf_token"]
    # Fresh figures replace the entry, and with it the panels rendered from the old ones.
    client_for(pm).post(f"{reverse('ideas:insights_refresh')}?{urlencode(PERIOD)}")
    refreshed = insights.cached(insights.InsightsQuery(insights.Period(START, END)))
    assert refreshed.generated_at > result.generated_at
