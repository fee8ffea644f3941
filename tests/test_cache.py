"""The anonymous cache (ideas/cache.py): visitors' first list pages and the roadmap.

What it promises (docs/scaling.md, "Caching"): a voter sees their vote at once (signed-in
pages are never cached); everyone else sees it on their next request after the vote commits
(the services bump the cache's generation); anything that bypasses the services shows within
LODE_ANON_CACHE_SECONDS; internal ideas never enter the cache.
"""

import datetime as dt
import re
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ideas import cache as anon_cache
from ideas import services
from ideas.choices import Status
from ideas.models import Idea
from tests import factories

pytestmark = pytest.mark.django_db


def shown_ids(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'href="/ideas/(\d+)-', response.content.decode())}


def list_ids(response) -> set[int]:
    return {idea.pk for idea in response.context["page"].object_list}


@pytest.fixture
def idea():
    return factories.IdeaFactory(title="Dark mode for the dashboard")


def test_a_second_anonymous_visit_is_served_from_the_cache(client, idea):
    first = client.get("/")
    with CaptureQueriesContext(connection) as cold:
        Client().get("/?sort=top")
    with CaptureQueriesContext(connection) as warm:
        second = Client().get("/?sort=top")
    assert first.status_code == second.status_code == 200
    assert idea.pk in list_ids(second)
    # The idea rows and their count come from the cache: no query on ideas_idea remains.
    assert any("ideas_idea" in q["sql"] for q in cold.captured_queries)
    assert not any('FROM "ideas_idea"' in q["sql"] for q in warm.captured_queries)


def test_the_voter_sees_their_vote_at_once(client_for, customer, idea):
    Client().get("/")  # a visitor fills the cache first
    voter = client_for(customer)
    assert voter.get("/").context["page"].object_list[0].vote_count == 0
    response = voter.post(f"/ideas/{idea.pk}/vote/")
    assert response.status_code == 302
    page = voter.get("/").context["page"]
    row = next(i for i in page.object_list if i.pk == idea.pk)
    assert (row.vote_count, row.has_voted) == (1, True)


def test_a_visitor_sees_a_vote_on_the_next_request_after_it_commits(
    customer, idea, django_capture_on_commit_callbacks
):
    visitor = Client()
    assert visitor.get("/").context["page"].object_list[0].vote_count == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.vote_add(user=customer, idea=idea)
    assert visitor.get("/").context["page"].object_list[0].vote_count == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.vote_remove(user=customer, idea=idea)
    assert visitor.get("/").context["page"].object_list[0].vote_count == 0


def test_a_vote_that_never_commits_changes_nothing_for_visitors(customer, idea):
    visitor = Client()
    visitor.get("/")
    generation = anon_cache.generation()
    services.vote_add(user=customer, idea=idea)  # still inside the test's transaction
    assert anon_cache.generation() == generation


def test_a_change_that_bypasses_the_services_shows_within_the_documented_delay(idea, settings):
    settings.LODE_ANON_CACHE_SECONDS = 60
    visitor = Client()
    assert visitor.get("/").context["page"].object_list[0].vote_count == 0
    Idea.objects.filter(pk=idea.pk).update(vote_count=7)  # raw write: no bump
    assert visitor.get("/").context["page"].object_list[0].vote_count == 0  # cached
    later = timezone.now() + dt.timedelta(seconds=61)
    with mock.patch("django.core.cache.backends.db.tz_now", return_value=later):
        assert visitor.get("/").context["page"].object_list[0].vote_count == 7


def test_a_status_change_moves_the_visitors_roadmap(pm, idea, django_capture_on_commit_callbacks):
    visitor = Client()
    planned = {s: ideas for s, _, ideas in visitor.get("/roadmap/").context["columns"]}
    assert planned[Status.PLANNED] == []
    with django_capture_on_commit_callbacks(execute=True):
        services.idea_set_status(idea=idea, actor=pm, status=Status.PLANNED)
    columns = {s: ideas for s, _, ideas in visitor.get("/roadmap/").context["columns"]}
    assert [i.pk for i in columns[Status.PLANNED]] == [idea.pk]


def test_a_new_idea_and_a_hidden_one_reach_visitors(
    pm, customer, django_capture_on_commit_callbacks
):
    visitor = Client()
    visitor.get("/")
    with django_capture_on_commit_callbacks(execute=True):
        new = services.idea_submit(author=customer, title="Export to PDF please")
    assert new.pk in list_ids(visitor.get("/"))
    with django_capture_on_commit_callbacks(execute=True):
        services.idea_set_visibility(idea=new, actor=pm, visibility="internal")
    assert new.pk not in list_ids(visitor.get("/"))


def test_internal_ideas_never_enter_the_anonymous_cache(client_for, staff, idea):
    secret = factories.InternalIdeaFactory(title="Secret pricing overhaul")
    staff_client = client_for(staff)
    # A company person's list (with the internal idea) is neither cached nor served cached.
    assert secret.pk in list_ids(staff_client.get("/"))
    visitor_page = Client().get("/")
    assert secret.pk not in list_ids(visitor_page)
    assert secret.pk not in shown_ids(visitor_page)
    for sort in ("trending", "top", "new"):
        key = anon_cache._key("list", {"sort": sort, "category": "", "status": ""})
        rows, _ = cache.get(key) or ([], 0)
        assert secret.pk not in {row.pk for row in rows}
    # And the staff member still sees it after a visitor filled the cache.
    assert secret.pk in list_ids(staff_client.get("/"))


def test_searches_later_pages_and_unknown_categories_are_not_cached(client):
    factories.IdeaFactory.create_batch(3)
    with mock.patch.object(anon_cache, "for_anonymous", wraps=anon_cache.for_anonymous) as spy:
        client.get("/?q=idea")
        client.get("/?page=2")
        client.get("/?category=no-such-category")
        assert spy.call_count == 0
        client.get("/?sort=new")
        assert spy.call_count == 1


def test_cached_pages_vary_on_cookie_and_are_never_public(client, client_for, customer, idea):
    for url in ("/", "/roadmap/"):
        anonymous = Client().get(url)
        assert "Cookie" in anonymous["Vary"]
        assert "public" not in anonymous.get("Cache-Control", "")
        signed_in = client_for(customer).get(url)
        assert "Cookie" in signed_in["Vary"]
        assert "no-store" in signed_in["Cache-Control"]
        assert "public" not in signed_in["Cache-Control"]


def test_each_cached_page_gets_its_own_csrf_token(idea):
    """Rows are cached, not HTML: each visitor's page carries its own token."""
    first, second = Client().get("/"), Client().get("/")
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value


def test_a_broken_cache_falls_back_to_the_database(idea):
    with mock.patch.object(anon_cache.cache, "get", side_effect=ConnectionError("redis down")):
        response = Client().get("/")
    assert response.status_code == 200
    assert idea.pk in list_ids(response)


def test_zero_seconds_turns_the_cache_off(idea, settings):
    settings.LODE_ANON_CACHE_SECONDS = 0
    visitor = Client()
    visitor.get("/")
    Idea.objects.filter(pk=idea.pk).update(vote_count=3)
    assert visitor.get("/").context["page"].object_list[0].vote_count == 3


@pytest.mark.parametrize("rows", [1, 30])
def test_a_warm_anonymous_list_costs_two_queries(django_assert_max_num_queries, rows):
    factories.IdeaFactory.create_batch(rows)
    Client().get("/")
    # The generation and the cached page (its rows and its rendered body, filter bar
    # included).
    with django_assert_max_num_queries(2):
        assert Client().get("/").status_code == 200


def test_the_cached_body_is_the_page_visitors_saw_until_a_write_bumps_it(
    idea, django_capture_on_commit_callbacks
):
    category = factories.CategoryFactory(name="Reporting", slug="reporting")
    first = Client().get("/").text
    Idea.objects.filter(pk=idea.pk).update(title="Renamed behind the cache")
    second = Client().get("/").text
    assert "Dark mode for the dashboard" in second and "Renamed behind" not in second
    assert first.count('class="idea-row') == second.count('class="idea-row') == 1
    with django_capture_on_commit_callbacks(execute=True):
        category.name = "Reports and exports"
        category.save()
    third = Client().get("/").text
    assert "Renamed behind the cache" in third and "Reports and exports" in third


def test_each_filter_and_sort_has_its_own_cached_body(idea):
    other = factories.IdeaFactory(title="Planned idea here", status=Status.PLANNED)
    assert "Planned idea here" in Client().get("/").text
    planned = Client().get("/?status=planned").text
    assert "Planned idea here" in planned and "Dark mode for the dashboard" not in planned
    again = Client().get("/?status=planned")
    assert [i.pk for i in again.context["page"]] == [other.pk]
    assert 'value="planned" selected' in again.text
    assert 'aria-current="true">Trending' in Client().get("/").text
    assert 'aria-current="true">Top' in Client().get("/?sort=top").text


def test_signed_in_people_never_get_the_visitors_body(client_for, customer, idea):
    Client().get("/")  # a visitor fills the cache first
    text = client_for(customer).get("/").text
    assert f'action="/ideas/{idea.pk}/vote/"' in text
    assert "Log in to vote" not in text
    assert "Log in to vote" in Client().get("/").text


def test_a_warm_anonymous_roadmap_costs_two_queries(django_assert_max_num_queries):
    factories.IdeaFactory.create_batch(5, status=Status.PLANNED)
    Client().get("/roadmap/")
    with django_assert_max_num_queries(2):  # the generation and the cached columns
        assert Client().get("/roadmap/").status_code == 200


def test_a_bump_is_one_query_and_always_moves_the_generation_forward(
    django_assert_num_queries,
):
    for key in (anon_cache.GENERATION_KEY, anon_cache.TRIAGE_GENERATION_KEY):
        before = anon_cache.generation(key)
        with django_assert_num_queries(1):  # a nextval() on its sequence
            anon_cache._increment(key)
        after = anon_cache.generation(key)
        assert after > before
        anon_cache._increment(key)
        assert anon_cache.generation(key) > after
