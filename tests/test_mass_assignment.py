"""Mass assignment: extra fields posted to the forms and the API change nothing, and lists
sort and filter only on allow-listed fields (never on revenue, which would leak its order)."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from ideas.choices import IdeaSource, Status, Visibility
from ideas.models import Comment, Idea, Signal
from tests import factories
from tests.test_capture import capture_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def intruder():
    return factories.CustomerFactory(email="mallory@globex.example")


def extras(intruder) -> dict:
    return {
        "status": Status.SHIPPED,
        "visibility": Visibility.INTERNAL,
        "author": intruder.pk,
        "author_id": intruder.pk,
        "vote_count": 999,
        "comment_count": 999,
        "trending_score": 999,
        "account": factories.AccountFactory(name="Globex").pk,
        "source": IdeaSource.SALES,
        "owner": intruder.pk,
        "merged_into": factories.IdeaFactory().pk,
    }


def assert_plain_new_idea(idea: Idea, author) -> None:
    assert idea.author == author
    assert idea.status == Status.NEW
    assert idea.visibility == Visibility.PUBLIC
    assert idea.account_id == author.account_id
    assert idea.source == IdeaSource.CUSTOMER
    assert idea.owner_id is None
    assert idea.merged_into_id is None
    assert idea.vote_count <= 1
    assert idea.comment_count == 0


def test_the_post_idea_form_ignores_extra_fields(client_for, customer, intruder):
    data = {"title": "Let me export my board to PDF", "body": "", **extras(intruder)}
    response = client_for(customer).post(reverse("ideas:new"), data)
    assert response.status_code == 302
    assert_plain_new_idea(Idea.objects.get(title=data["title"]), customer)


def test_the_api_create_ignores_extra_fields(client_for, customer, intruder):
    data = {"title": "Let me export my board to CSV", **extras(intruder)}
    response = client_for(customer).post("/api/v1/ideas/", data, content_type="application/json")
    assert response.status_code == 201, response.content
    assert_plain_new_idea(Idea.objects.get(title=data["title"]), customer)


def test_the_comment_form_ignores_extra_fields_and_internal_for_customers(
    client_for, customer, intruder
):
    idea = factories.IdeaFactory()
    data = {"body": "Me too", "is_internal": "on", "author": intruder.pk, "idea": 0}
    client_for(customer).post(reverse("ideas:comment", args=[idea.pk]), data)
    comment = Comment.objects.get(body="Me too")
    assert (comment.author, comment.idea, comment.is_internal) == (customer, idea, False)


def test_the_api_comment_ignores_extra_fields(client_for, customer, intruder):
    idea = factories.IdeaFactory()
    data = {
        "body": "Me too",
        "is_internal": True,
        "author": intruder.pk,
        "created_at": "2001-01-01",
    }
    response = client_for(customer).post(
        f"/api/v1/ideas/{idea.pk}/comments/", data, content_type="application/json"
    )
    assert response.status_code in {201, 403}
    for comment in Comment.objects.filter(body="Me too"):
        assert (comment.author, comment.is_internal) == (customer, False)
        assert comment.created_at.year != 2001


def test_the_capture_form_ignores_extra_fields(client_for, sales, intruder):
    account = factories.AccountFactory(arr=1000)
    data = capture_data(
        account=account.pk,
        captured_by=intruder.pk,
        routed_by=intruder.pk,
        account_arr="99999999",
        sentiment="1",
    )
    client_for(sales).post(reverse("ideas:capture"), data)
    signal = Signal.objects.get()
    assert signal.captured_by == sales
    assert signal.routed_by is None
    assert signal.account_arr == 1000


def test_the_api_capture_ignores_extra_fields(client_for, sales, intruder):
    account = factories.AccountFactory(arr=1000)
    data = {
        "account": account.pk,
        "verbatim": "We need SSO",
        "heard_on": "2026-01-05",
        "captured_by": intruder.pk,
        "account_arr": "99999999",
    }
    response = client_for(sales).post("/api/v1/signals/", data, content_type="application/json")
    assert response.status_code == 201, response.content
    signal = Signal.objects.get()
    assert (signal.captured_by, signal.account_arr) == (sales, 1000)


# Sorting and filtering on allow-listed fields only.


@pytest.fixture
def ideas_with_revenue():
    """Three ideas whose trending order differs from their accounts' ARR order."""
    ideas = []
    for n, arr in enumerate([5, 500_000, 50]):
        account = factories.AccountFactory(arr=arr)
        author = factories.CustomerFactory(account=account)
        idea = factories.IdeaFactory(author=author, account=account, title=f"Idea {n} xyz")
        Idea.objects.filter(pk=idea.pk).update(trending_score=10 - n)
        ideas.append(idea)
    return ideas


def order_in(text: str) -> list[str]:
    return sorted(("Idea 0 xyz", "Idea 1 xyz", "Idea 2 xyz"), key=lambda title: text.index(title))


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "arr"},
        {"sort": "-arr"},
        {"sort": "account__arr"},
        {"order_by": "-account__arr"},
        {"ordering": "-account__arr"},
        {"account__arr__gt": "100"},
        {"evidence__arr__gt": "100"},
    ],
)
def test_the_public_list_ignores_sorting_and_filtering_on_hidden_fields(
    client, ideas_with_revenue, params
):
    default = order_in(client.get(reverse("ideas:list")).text)
    response = client.get(reverse("ideas:list"), params)
    assert response.status_code == 200
    assert order_in(response.text) == default == ["Idea 0 xyz", "Idea 1 xyz", "Idea 2 xyz"]


@pytest.mark.parametrize("sort", ["arr", "-arr", "account__arr", "-vote_count", "id"])
def test_the_api_refuses_a_sort_it_does_not_offer(client, ideas_with_revenue, sort):
    response = client.get("/api/v1/ideas/", {"sort": sort})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "params", [{"order_by": "-account__arr"}, {"ordering": "-account__arr"}, {"arr__gt": "100"}]
)
def test_the_api_ignores_unknown_parameters(client, ideas_with_revenue, params):
    response = client.get("/api/v1/ideas/", params)
    assert response.status_code == 200
    titles = [row["title"] for row in response.json()["results"]]
    assert titles == ["Idea 0 xyz", "Idea 1 xyz", "Idea 2 xyz"]
