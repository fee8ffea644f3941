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
def test_list_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, rows):
    factories.IdeaFactory.create_batch(rows)
    # Session-less visitor: count + page of ideas with their categories + categories filter.
    with django_assert_max_num_queries(3):
        response = client.get("/")
    assert response.status_code == 200


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
