"""The landing page lists public ideas; idea pages respect visibility."""

import pytest
from django.urls import reverse

from ideas.choices import Status
from tests import factories

pytestmark = pytest.mark.django_db


def test_landing_page_lists_public_ideas(client):
    factories.IdeaFactory(title="Slack notifications for new comments", vote_count=7)
    response = client.get("/")
    assert response.status_code == 200
    assert "Slack notifications for new comments" in response.text
    assert "7" in response.text


def test_landing_page_has_a_helpful_empty_state(client):
    response = client.get("/")
    assert "No ideas yet" in response.text


def test_visitor_never_sees_internal_ideas_in_the_list(client):
    factories.InternalIdeaFactory(title="Secret pricing overhaul")
    assert "Secret pricing overhaul" not in client.get("/").text


def test_customer_never_sees_internal_ideas_in_the_list(client_for, customer):
    factories.InternalIdeaFactory(title="Secret pricing overhaul")
    assert "Secret pricing overhaul" not in client_for(customer).get("/").text


@pytest.mark.parametrize("persona", ["sales", "staff", "pm", "admin_user"])
def test_company_people_see_internal_ideas(client_for, request, persona):
    factories.InternalIdeaFactory(title="Secret pricing overhaul")
    user = request.getfixturevalue(persona)
    assert "Secret pricing overhaul" in client_for(user).get("/").text


def test_list_sorts_by_votes_or_newest(client):
    factories.IdeaFactory(title="Older but popular", vote_count=50)
    factories.IdeaFactory(title="Newer and quiet", vote_count=1)
    top = client.get("/?sort=top").text
    new = client.get("/?sort=new").text
    assert top.index("Older but popular") < top.index("Newer and quiet")
    assert new.index("Newer and quiet") < new.index("Older but popular")


def test_list_filters_by_category_and_status(client):
    reporting = factories.CategoryFactory(name="Reporting", slug="reporting")
    factories.IdeaFactory(title="Scheduled PDF reports", category=reporting, status=Status.PLANNED)
    factories.IdeaFactory(title="Mobile app offline mode")
    text = client.get("/?category=reporting").text
    assert "Scheduled PDF reports" in text and "Mobile app offline mode" not in text
    text = client.get("/?status=planned").text
    assert "Scheduled PDF reports" in text and "Mobile app offline mode" not in text
    assert "No ideas match these filters" in client.get("/?status=declined").text


def test_unknown_sort_and_page_fall_back_quietly(client):
    factories.IdeaFactory(title="Anything at all here")
    response = client.get("/?sort=drop table&page=999&status=bogus")
    assert response.status_code == 200
    assert "Anything at all here" in response.text


def test_merged_ideas_are_not_listed(client):
    target = factories.IdeaFactory(title="Single sign-on with Okta")
    factories.IdeaFactory(title="SAML login please", merged_into=target)
    text = client.get("/").text
    assert "Single sign-on with Okta" in text and "SAML login please" not in text


@pytest.mark.parametrize("rows", [5, 50])
def test_list_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, rows, settings
):
    factories.IdeaFactory.create_batch(rows)
    # The queries of the page itself; the anonymous cache's are tested in test_cache.py.
    settings.LODE_ANON_CACHE_SECONDS = 0
    # Session-less visitor: page of ideas (one more than shown, no count) with their
    # categories + categories filter.
    with django_assert_max_num_queries(2):
        response = client.get("/")
    assert response.status_code == 200


def test_list_pages_without_counting(client, settings, django_assert_max_num_queries):
    settings.LODE_ANON_CACHE_SECONDS = 0
    factories.IdeaFactory.create_batch(45)
    first = client.get("/?sort=new")
    assert len(first.context["page"]) == 20
    assert "Page 1</span>" in first.text and "?page=2&amp;sort=new" in first.text
    assert "Previous" not in first.text
    with django_assert_max_num_queries(2) as captured:
        last = client.get("/?sort=new&page=3")
    assert not any("COUNT(" in query["sql"] for query in captured.captured_queries)
    assert len(last.context["page"]) == 5
    assert "?page=2&amp;sort=new" in last.text and "?page=4" not in last.text
    # An old link past the end shows the last page, as before.
    beyond = client.get("/?sort=new&page=9")
    assert beyond.context["page"].number == 3 and len(beyond.context["page"]) == 5
    assert client.get("/", {"page": "9" * 30}).context["page"].number == 3
    ids = [i.pk for n in (1, 2, 3) for i in client.get(f"/?sort=new&page={n}").context["page"]]
    assert len(set(ids)) == 45


def test_exactly_one_full_page_has_no_next_link(client):
    factories.IdeaFactory.create_batch(20)
    response = client.get("/")
    assert len(response.context["page"]) == 20
    assert "Next" not in response.text and "Page 1</span>" not in response.text


def test_search_counts_up_to_a_cap(client, monkeypatch):
    from ideas.views import forum

    factories.IdeaFactory.create_batch(3, title="Export something useful")
    assert "3 ideas match “export”" in client.get("/", {"q": "export"}).text
    monkeypatch.setattr(forum, "SEARCH_COUNT_CAP", 2)
    assert "More than 2 ideas match “export”" in client.get("/", {"q": "export"}).text


def test_idea_page_renders(client):
    idea = factories.IdeaFactory(title="Dark mode for the dashboard")
    response = client.get(idea.get_absolute_url())
    assert response.status_code == 200
    assert "Dark mode for the dashboard" in response.text


def test_visitor_gets_404_on_an_internal_idea(client):
    idea = factories.InternalIdeaFactory()
    assert client.get(idea.get_absolute_url()).status_code == 404


def test_customer_gets_404_on_an_internal_idea(client_for, customer):
    idea = factories.InternalIdeaFactory()
    assert client_for(customer).get(idea.get_absolute_url()).status_code == 404


def test_pm_sees_an_internal_idea(client_for, pm):
    idea = factories.InternalIdeaFactory(title="Rework the pricing page")
    response = client_for(pm).get(idea.get_absolute_url())
    assert response.status_code == 200
    assert "Internal" in response.text


def test_wrong_slug_redirects_to_the_canonical_url(client):
    idea = factories.IdeaFactory(title="Bulk edit tags")
    response = client.get(reverse("ideas:detail", kwargs={"pk": idea.pk, "slug": "old-title"}))
    assert response.status_code == 301
    assert response["Location"] == idea.get_absolute_url()


def test_merged_idea_redirects_permanently_to_its_target(client):
    target = factories.IdeaFactory(title="Single sign-on with Okta")
    merged = factories.IdeaFactory(title="SAML login please", merged_into=target)
    response = client.get(merged.get_absolute_url())
    assert response.status_code == 301
    assert response["Location"] == target.get_absolute_url()


def test_missing_idea_is_a_friendly_404(client):
    response = client.get("/ideas/999999-nothing/")
    assert response.status_code == 404
    assert "Page not found" in response.text


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_pages_send_a_strict_content_security_policy(client):
    csp = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_navigation_fits_the_role(client_for, client, pm, customer):
    assert "Log in" in client.get("/").text
    text = client_for(customer).get("/").text
    assert "Log out" in text and "Administration" not in text


# Search, trending, roadmap


def test_search_ranks_and_highlights_matches(client):
    factories.IdeaFactory(title="Export dashboards to PDF", body="For board meetings.")
    factories.IdeaFactory(title="Dark mode", body="We could export settings too.")
    factories.IdeaFactory(title="Slack alerts", body="Nothing relevant.")
    text = client.get("/", {"q": "export dashboards"}).text
    assert "<mark>Export</mark> <mark>dashboards</mark> to PDF" in text
    assert "Dark mode" not in text and "Slack alerts" not in text
    assert "1 idea match" in text


def test_search_understands_websearch_syntax(client):
    factories.IdeaFactory(title="Export reports to Excel")
    factories.IdeaFactory(title="Export reports to PDF")
    factories.IdeaFactory(title="Reports by email")
    text = client.get("/", {"q": "export -excel"}).text
    assert "Excel" not in text and "to PDF" in text
    text = client.get("/", {"q": '"reports by email" or excel'}).text
    assert "Excel" in text and "email" in text and "to PDF" not in text


def test_customer_search_never_returns_an_internal_idea_even_on_an_exact_title(
    client_for, customer
):
    factories.InternalIdeaFactory(title="Project Falcon pricing overhaul")
    text = client_for(customer).get("/", {"q": "Project Falcon pricing overhaul"}).text
    assert 'class="idea-row' not in text
    assert "No ideas match" in text


def test_search_highlights_are_escaped(client):
    factories.IdeaFactory(title="<script>alert(1)</script> export button")
    text = client.get("/", {"q": "export"}).text
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;" in text


def test_empty_search_offers_to_post_the_idea(client):
    text = client.get("/", {"q": "teleport"}).text
    assert "No ideas match “teleport”" in text
    assert "/ideas/new/?title=teleport" in text


def test_trending_weighs_recent_votes_more(client):
    import datetime as dt

    from django.utils import timezone

    from ideas import services
    from ideas.models import Idea, Vote

    old = factories.IdeaFactory(title="Popular long ago")
    fresh = factories.IdeaFactory(title="Rising right now")
    for _ in range(10):
        factories.VoteFactory(idea=old)
    Vote.objects.filter(idea=old).update(created_at=timezone.now() - dt.timedelta(days=60))
    for _ in range(3):
        factories.VoteFactory(idea=fresh)
    services.idea_recount_counters(Idea.objects.all())
    trending = client.get("/?sort=trending").text
    top = client.get("/?sort=top").text
    assert trending.index("Rising right now") < trending.index("Popular long ago")
    assert top.index("Popular long ago") < top.index("Rising right now")


def test_list_marks_the_ideas_i_voted_for(client_for, customer):
    voted = factories.IdeaFactory(title="Voted idea here")
    factories.IdeaFactory(title="Other idea here")
    factories.VoteFactory(idea=voted, user=customer)
    text = client_for(customer).get("/?sort=new").text
    assert text.count("bi-check2-circle") == 1
    assert text.index("Voted idea here") < text.index("bi-check2-circle")
    assert text.index("Other idea here") < text.index("Voted idea here")  # newest first


@pytest.mark.parametrize("rows", [5, 50])
def test_logged_in_list_and_search_run_a_fixed_number_of_queries(
    client_for, customer, django_assert_max_num_queries, rows
):
    factories.IdeaFactory.create_batch(rows, title="Export something useful")
    client = client_for(customer)
    # session + user + page (with category and my votes) + categories filter.
    with django_assert_max_num_queries(4):
        assert client.get("/").status_code == 200
    # The same, and how many match (counted up to SEARCH_COUNT_CAP).
    with django_assert_max_num_queries(5):
        assert client.get("/", {"q": "export"}).status_code == 200


@pytest.mark.parametrize("rows", [5, 50])
def test_idea_page_runs_a_fixed_number_of_queries(
    client_for, customer, django_assert_max_num_queries, rows
):
    idea = factories.IdeaFactory()
    for _ in range(rows):
        factories.CommentFactory(idea=idea)
    factories.StatusChangeFactory.create_batch(3, idea=idea)
    client = client_for(customer)
    # session + user + idea + my vote + my follow + comment count + comment page + timeline.
    with django_assert_max_num_queries(8):
        response = client.get(idea.get_absolute_url())
    assert response.status_code == 200


def test_roadmap_shows_planned_in_progress_and_recently_shipped(client):
    import datetime as dt

    from django.utils import timezone

    factories.IdeaFactory(title="Planned thing", status=Status.PLANNED, vote_count=4)
    factories.IdeaFactory(title="Building thing", status=Status.IN_PROGRESS)
    factories.IdeaFactory(
        title="Shipped lately", status=Status.SHIPPED, status_changed_at=timezone.now()
    )
    factories.IdeaFactory(
        title="Shipped long ago",
        status=Status.SHIPPED,
        status_changed_at=timezone.now() - dt.timedelta(days=200),
    )
    factories.IdeaFactory(title="Still new", status=Status.NEW)
    factories.InternalIdeaFactory(title="Secret plan", status=Status.PLANNED)
    text = client.get("/roadmap/").text
    for shown in ("Planned thing", "Building thing", "Shipped lately"):
        assert shown in text
    for hidden in ("Shipped long ago", "Still new", "Secret plan"):
        assert hidden not in text


@pytest.mark.parametrize("rows", [5, 50])
def test_roadmap_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, rows, settings
):
    factories.IdeaFactory.create_batch(rows, status=Status.PLANNED)
    settings.LODE_ANON_CACHE_SECONDS = 0  # the page's own queries; test_cache.py has the rest
    with django_assert_max_num_queries(1):
        assert client.get("/roadmap/").status_code == 200


@pytest.mark.parametrize("params", [{"q": "ex\x00port"}, {"category": "\x00"}, {"status": "\x00"}])
def test_nul_bytes_in_the_query_string_are_harmless(client, params):
    factories.IdeaFactory(title="Export reports to PDF")
    response = client.get("/", params)
    assert response.status_code == 200


def test_nul_bytes_in_triage_and_account_filters_are_harmless(client_for, pm):
    client = client_for(pm)
    assert client.get("/triage/", {"segment": "\x00", "category": "a\x00"}).status_code == 200
    assert client.get("/crm/accounts/", {"q": "\x00"}).status_code == 200
    assert client.get("/board/", {"category": "\x00"}).status_code == 200


def test_a_popular_idea_shows_its_comments_a_page_at_a_time(client):
    idea = factories.IdeaFactory()
    for n in range(120):
        factories.CommentFactory(idea=idea, body=f"Comment number {n:03d}")
    text = client.get(idea.get_absolute_url()).text
    # The newest page first: the last 20 of 120 (pages of 50 from the oldest).
    assert "Comment number 119" in text and "Comment number 100" in text
    assert "Comment number 099" not in text
    assert "Comments 101–120 of 120" in text
    older = client.get(idea.get_absolute_url(), {"comments": 1}).text
    assert "Comment number 000" in older and "Comment number 119" not in older
