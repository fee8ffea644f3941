"""The REST API (/api/v1/): the pages' rules through the same code, for every role."""

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from ideas import queries, services
from ideas.choices import Status, Visibility
from ideas.forms import IdeaForm
from ideas.models import Account, Comment, Idea, Signal, StatusChange, Vote
from tests import factories

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
PERSONAS = ["visitor", "customer", "other_customer", "sales", "staff", "pm", "admin_user"]

# Values that must never reach a customer or a visitor, in any response.
CANARY_ARR = Decimal("987654.32")
CANARY_DEAL = Decimal("424242.42")
CANARY_CRM_ID = "CRM-CANARY-1"
CANARY_TEXTS = ["987654", "424242", CANARY_CRM_ID, "Secret canary", "canary private note"]
EVIDENCE_KEYS = ['"evidence"', '"arr"', '"account"', '"opportunity_value"', '"owner"']


@pytest.fixture
def world(account, customer):
    """A public idea with evidence behind it, an internal idea, and a private note."""
    account.arr = CANARY_ARR
    account.external_id = CANARY_CRM_ID
    account.save()
    category = factories.CategoryFactory(name="Reporting", slug="reporting")
    public = factories.IdeaFactory(
        title="Export dashboards to PDF reports", category=category, author=customer
    )
    Idea.objects.filter(pk=public.pk).update(account=account)
    internal = factories.InternalIdeaFactory(
        title="Secret canary pricing overhaul", body="Bundle the canary add-ons."
    )
    factories.SignalFactory(
        idea=public, account=account, opportunity_value=CANARY_DEAL, verbatim="We need PDFs."
    )
    factories.CommentFactory(idea=public, body="Yes, PDF exports please.")
    factories.CommentFactory(
        idea=public,
        author=factories.StaffFactory(),
        body="Canary private note: big renewal.",
        is_internal=True,
    )
    return SimpleNamespace(public=public, internal=internal, account=account, category=category)


@pytest.fixture
def api_as(request):
    """An API client with a token for a persona name or a user (no token for "visitor")."""

    def make(who) -> APIClient:
        client = APIClient()
        if who == "visitor":
            return client
        user = request.getfixturevalue(who) if isinstance(who, str) else who
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


def today() -> str:
    return timezone.localdate().isoformat()


# --- The permission matrix: the same answers as the pages, for every role --------------------


def row(*codes: int) -> dict[str, int]:
    return dict(zip(PERSONAS, codes, strict=True))


#          visitor customer other  sales staff  pm  admin
EVERYONE_READS = row(200, 200, 200, 200, 200, 200, 200)
COMPANY_READS = row(401, 403, 403, 200, 200, 200, 200)
INTERNAL_IDEA = row(404, 404, 404, 200, 200, 200, 200)

MATRIX = {
    "list ideas": ("get", "/api/v1/ideas/", None, EVERYONE_READS),
    "post idea": (
        "post",
        "/api/v1/ideas/",
        {"title": "Dark mode for the dashboards"},
        row(401, 201, 201, 201, 201, 201, 201),
    ),
    "read public idea": ("get", "/api/v1/ideas/{public}/", None, EVERYONE_READS),
    "read internal idea": ("get", "/api/v1/ideas/{internal}/", None, INTERNAL_IDEA),
    "status of public idea": (
        "post",
        "/api/v1/ideas/{public}/status/",
        {"status": "under_review"},
        row(401, 403, 403, 403, 403, 200, 200),
    ),
    "status of internal idea": (
        "post",
        "/api/v1/ideas/{internal}/status/",
        {"status": "under_review"},
        row(401, 404, 404, 403, 403, 200, 200),
    ),
    "similar ideas": ("get", "/api/v1/ideas/similar/?text=pdf+export", None, EVERYONE_READS),
    "vote public": ("post", "/api/v1/ideas/{public}/vote/", None, row(401, *[200] * 6)),
    "vote internal": (
        "post",
        "/api/v1/ideas/{internal}/vote/",
        None,
        row(401, 404, 404, 200, 200, 200, 200),
    ),
    "unvote public": ("delete", "/api/v1/ideas/{public}/vote/", None, row(401, *[200] * 6)),
    "comments of public idea": ("get", "/api/v1/ideas/{public}/comments/", None, EVERYONE_READS),
    "comments of internal idea": (
        "get",
        "/api/v1/ideas/{internal}/comments/",
        None,
        INTERNAL_IDEA,
    ),
    "comment": (
        "post",
        "/api/v1/ideas/{public}/comments/",
        {"body": "Me too."},
        row(401, *[201] * 6),
    ),
    "private note": (
        "post",
        "/api/v1/ideas/{public}/comments/",
        {"body": "Renewal depends on it.", "is_internal": True},
        row(401, 403, 403, 201, 201, 201, 201),
    ),
    "list signals": ("get", "/api/v1/signals/", None, COMPANY_READS),
    "capture signal": (
        "post",
        "/api/v1/signals/",
        {"account_external_id": CANARY_CRM_ID, "verbatim": "We need PDF exports."},
        row(401, 403, 403, 201, 201, 201, 201),
    ),
    "list accounts": ("get", "/api/v1/accounts/", None, COMPANY_READS),
    "read account": ("get", f"/api/v1/accounts/{CANARY_CRM_ID}/", None, COMPANY_READS),
    "upsert account": (
        "put",
        "/api/v1/accounts/CRM-NEW-1/",
        {"name": "Initech", "arr": "1000.00"},
        row(401, 403, 403, 403, 403, 201, 201),
    ),
    "categories": ("get", "/api/v1/categories/", None, EVERYONE_READS),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_permission_matrix(endpoint, persona, world, api_as, other_customer):
    method, url, body, expected = MATRIX[endpoint]
    url = url.format(public=world.public.pk, internal=world.internal.pk)
    response = getattr(api_as(persona), method)(url, body, format="json")
    assert response.status_code == expected[persona], response.content
    assert response["Content-Type"] == "application/json"


# --- Evidence never reaches customers or visitors --------------------------------------------


@pytest.mark.parametrize("persona", ["visitor", "customer", "other_customer"])
def test_customer_token_never_receives_internal_ideas_or_evidence(persona, world, api_as):
    client = api_as(persona)
    public = world.public.pk
    texts = []
    for url in [
        "/api/v1/ideas/",
        "/api/v1/ideas/?sort=top",
        "/api/v1/ideas/?q=canary",
        "/api/v1/ideas/?q=pricing",
        "/api/v1/ideas/?category=reporting",
        f"/api/v1/ideas/{public}/",
        f"/api/v1/ideas/{world.internal.pk}/",
        f"/api/v1/ideas/{public}/comments/",
        f"/api/v1/ideas/{world.internal.pk}/comments/",
        "/api/v1/ideas/similar/?text=Secret+canary+pricing+overhaul",
        "/api/v1/categories/",
    ]:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        texts.append(response.content.decode())
    if persona != "visitor":
        texts.append(client.post(f"/api/v1/ideas/{public}/vote/").content.decode())
        texts.append(
            client.post(
                f"/api/v1/ideas/{public}/comments/", {"body": "Plus one."}, format="json"
            ).content.decode()
        )
        texts.append(
            client.post(
                "/api/v1/ideas/", {"title": "Canary-free idea title"}, format="json"
            ).content.decode()
        )
    everything = "\n".join(texts)
    for canary in CANARY_TEXTS:
        assert canary.lower() not in everything.lower(), canary
    for key in EVIDENCE_KEYS:
        assert key not in everything, key
    assert "Export dashboards to PDF reports" in everything  # the scan saw real answers


@pytest.mark.parametrize("persona", ["sales", "staff", "pm", "admin_user"])
def test_company_people_get_the_evidence_fields(persona, world, api_as):
    client = api_as(persona)
    idea = client.get(f"/api/v1/ideas/{world.public.pk}/").json()
    assert idea["evidence"]["arr"] == str(CANARY_ARR)
    assert idea["evidence"]["signals"] == 1
    assert idea["account"]["external_id"] == CANARY_CRM_ID
    listed = client.get("/api/v1/ideas/").json()["results"]
    assert {row["title"] for row in listed} >= {world.public.title, world.internal.title}
    assert all("evidence" in row for row in listed)
    notes = client.get(f"/api/v1/ideas/{world.public.pk}/comments/").json()["results"]
    assert [note["is_internal"] for note in notes] == [False, True]
    assert notes[1]["is_team"] is True


def test_customer_asking_for_a_private_note_is_refused_not_published(world, api_as):
    response = api_as("customer").post(
        f"/api/v1/ideas/{world.public.pk}/comments/",
        {"body": "Should be private", "is_internal": True},
        format="json",
    )
    assert response.status_code == 403
    assert "company" in response.json()["detail"]
    assert not Comment.objects.filter(body="Should be private").exists()


# --- Authentication --------------------------------------------------------------------------


def test_token_authentication_identifies_the_user(world, api_as, customer):
    client = api_as(customer)
    assert client.post(f"/api/v1/ideas/{world.public.pk}/vote/").status_code == 200
    assert client.get(f"/api/v1/ideas/{world.public.pk}/").json()["has_voted"] is True
    assert Vote.objects.filter(user=customer, idea=world.public).exists()


@pytest.mark.parametrize(
    "header",
    [
        "Token 0123456789abcdef0123456789abcdef01234567",
        "Token ",
        "Token two words",
        "Token \x00\x01",
        "Token " + "a" * 5000,
        "Token ünïcode",
    ],
)
def test_a_bad_token_is_a_401_never_a_500(header, world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/ideas/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "detail" in response.json()


def test_visitor_writes_get_401_with_the_token_scheme(world):
    response = APIClient().post(f"/api/v1/ideas/{world.public.pk}/vote/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_session_authentication_needs_csrf_for_writes(world, customer):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(customer)
    vote = f"/api/v1/ideas/{world.public.pk}/vote/"
    assert client.get("/api/v1/ideas/").status_code == 200
    refused = client.post(vote)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    client.get("/account/api-token/")  # any page with a form sets the CSRF cookie
    accepted = client.post(vote, HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    assert accepted.status_code == 200


def test_token_writes_need_no_csrf(world, customer):
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=customer).key}")
    assert client.post(f"/api/v1/ideas/{world.public.pk}/vote/").status_code == 200


def test_drf_create_token_works_with_email_users(customer):
    out = StringIO()
    call_command("drf_create_token", customer.email.upper(), stdout=out)
    token = Token.objects.get(user=customer)
    assert token.key in out.getvalue()
    call_command("drf_create_token", "--reset", customer.email, stdout=out)
    assert Token.objects.get(user=customer).key != token.key
    with pytest.raises(CommandError):
        call_command("drf_create_token", "nobody@example.com", stdout=out)


# --- The token page --------------------------------------------------------------------------


def test_token_page_needs_a_log_in(client):
    response = client.get("/account/api-token/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_token_page_creates_shows_once_regenerates_and_revokes(client_for, customer):
    client = client_for(customer)
    page = client.get("/account/api-token/")
    assert page.status_code == 200
    assert "You have no API token" in page.text

    created = client.post("/account/api-token/", {"action": "create"})
    key = Token.objects.get(user=customer).key
    assert created.status_code == 200
    assert key in created.text
    assert created["Cache-Control"] == "no-store"

    again = client.get("/account/api-token/")
    assert key not in again.text  # shown once only
    assert "You have a token" in again.text

    client.post("/account/api-token/", {"action": "create"})
    assert Token.objects.get(user=customer).key != key

    revoked = client.post("/account/api-token/", {"action": "revoke"}, follow=True)
    assert "revoked" in revoked.text
    assert not Token.objects.filter(user=customer).exists()


def test_token_page_refuses_other_methods_and_actions(client_for, customer):
    client = client_for(customer)
    assert client.put("/account/api-token/").status_code == 405
    client.post("/account/api-token/", {"action": "explode"})
    assert not Token.objects.filter(user=customer).exists()


def test_user_menu_links_to_the_token_page(client_for, customer):
    assert 'href="/account/api-token/"' in client_for(customer).get("/").text


# --- Ideas -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "Dark mode for the dashboards",
        "short",
        "x" * 141,
        "x" * 140,
        "   padded   but   fine   ",
        "  a  b  c  d  ",
        "Tab\tinside the title",
        "Line\nbreak in the title",
        "Bell \x07 in the title",
        "Reserved \ue000 marker title",
        "",
    ],
)
def test_idea_create_validation_mirrors_the_form(title, api_as, customer):
    form_ok = IdeaForm(data={"title": title}).is_valid()
    response = api_as(customer).post("/api/v1/ideas/", {"title": title}, format="json")
    assert response.status_code == (201 if form_ok else 400), response.content
    if not form_ok:
        assert "title" in response.json()


def test_idea_create_normalises_like_the_form_and_answers_201(api_as, customer, world):
    response = api_as(customer).post(
        "/api/v1/ideas/",
        {"title": "  Dark   mode  please  ", "body": "At night.", "category": "reporting"},
        format="json",
    )
    assert response.status_code == 201
    data = response.json()
    idea = Idea.objects.get(pk=data["id"])
    assert idea.title == data["title"] == "Dark mode please"
    assert idea.category == world.category
    assert idea.visibility == Visibility.PUBLIC
    assert idea.author == customer
    assert response["Location"] == data["url"]


@pytest.mark.parametrize(
    "body",
    [
        {"title": "A fine idea title", "category": "no-such-category"},
        {"title": "A fine idea title", "body": "x" * 10_001},
        {"title": "A fine idea title", "body": "Escape \x1b[31m codes"},
        {"title": "A fine idea title", "body": "NUL \x00 byte"},
        {"title": ["not", "a", "string"]},
        {"title": {"an": "object"}},
        {"title": None},
        {"body": "no title at all"},
        {"title": "x" * 1_000_000},
    ],
)
def test_idea_create_rejects_bad_input_with_a_400(body, api_as, customer):
    response = api_as(customer).post("/api/v1/ideas/", body, format="json")
    assert response.status_code == 400
    assert isinstance(response.json(), dict) and response.json()
    assert not Idea.objects.filter(author=customer).exists()


def test_list_filters_and_sorts_like_the_forum(api_as):
    reporting = factories.CategoryFactory(slug="reporting")
    old = factories.IdeaFactory(title="Older but popular", vote_count=50, category=reporting)
    new = factories.IdeaFactory(title="Newer and quiet", vote_count=1, status=Status.PLANNED)
    client = api_as("visitor")

    def ids(query: str) -> list[int]:
        return [row["id"] for row in client.get(f"/api/v1/ideas/{query}").json()["results"]]

    assert ids("?sort=top") == [old.pk, new.pk]
    assert ids("?sort=new") == [new.pk, old.pk]
    assert ids("?category=reporting") == [old.pk]
    assert ids("?status=planned") == [new.pk]
    assert ids("?q=popular") == [old.pk]
    assert ids("?q=%22older+but%22+-quiet") == [old.pk]


@pytest.mark.parametrize(
    "query", ["?sort=random", "?status=maybe", "?q=%00", "?q=" + "x" * 201, "?category=%00"]
)
def test_list_rejects_bad_filters_with_a_400(query, api_as):
    response = api_as("visitor").get(f"/api/v1/ideas/{query}")
    assert response.status_code == 400
    assert response.json()


def test_list_is_paginated_25_by_default_and_100_at_most(api_as):
    factories.IdeaFactory.create_batch(30)
    client = api_as("visitor")
    first = client.get("/api/v1/ideas/").json()
    assert first["count"] == 30
    assert len(first["results"]) == 25
    assert first["next"].endswith("/api/v1/ideas/?page=2")
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 5
    assert {row["id"] for row in first["results"]}.isdisjoint(
        {row["id"] for row in second["results"]}
    )
    assert len(client.get("/api/v1/ideas/?page_size=10").json()["results"]) == 10
    assert client.get("/api/v1/ideas/?page_size=1000").json()["count"] == 30
    beyond = client.get("/api/v1/ideas/?page=99")
    assert beyond.status_code == 404
    assert beyond.json()["detail"]


def test_merged_idea_answers_with_merged_into_and_leaves_the_list(api_as, pm):
    source = factories.IdeaFactory(title="Export to PDF please")
    target = factories.IdeaFactory(title="PDF exports of dashboards")
    services.idea_merge(source=source, target=target, actor=pm)
    client = api_as("customer")
    data = client.get(f"/api/v1/ideas/{source.pk}/").json()
    assert data["merged_into"] == target.pk
    assert data["merged_at"] is not None
    listed = [row["id"] for row in client.get("/api/v1/ideas/").json()["results"]]
    assert listed == [target.pk]


def test_merged_into_an_internal_idea_is_not_revealed_to_customers(api_as, pm):
    source = factories.IdeaFactory()
    target = factories.InternalIdeaFactory()
    services.idea_merge(source=source, target=target, actor=pm)
    assert api_as("customer").get(f"/api/v1/ideas/{source.pk}/").json()["merged_into"] is None
    assert api_as("sales").get(f"/api/v1/ideas/{source.pk}/").json()["merged_into"] == target.pk


def test_unknown_or_huge_idea_ids_are_404(api_as):
    client = api_as("customer")
    assert client.get("/api/v1/ideas/999999/").status_code == 404
    assert client.get(f"/api/v1/ideas/{10**30}/").status_code == 404
    assert client.post(f"/api/v1/ideas/{10**30}/vote/").status_code == 404


# --- Similar ideas ---------------------------------------------------------------------------


def test_similar_ideas_use_the_pages_ranking_and_visibility(world, api_as, customer, sales):
    factories.IdeaFactory(title="Pricing page for annual plans")
    text = "Secret canary pricing overhaul"
    for user in (customer, sales):
        response = api_as(user).get("/api/v1/ideas/similar/", {"text": text})
        assert response.status_code == 200
        expected = [idea.pk for idea in queries.similar_ideas(text, user=user)]
        assert [row["id"] for row in response.json()] == expected
    customer_titles = [
        row["title"] for row in api_as(customer).get(f"/api/v1/ideas/similar/?text={text}").json()
    ]
    assert world.internal.title not in customer_titles
    assert customer_titles == ["Pricing page for annual plans"]
    sales_rows = api_as(sales).get(f"/api/v1/ideas/similar/?text={text}").json()
    assert sales_rows[0]["title"] == world.internal.title
    assert "evidence" not in sales_rows[0]  # suggestions carry the public fields only


@pytest.mark.parametrize("query", ["", "?text=" + "x" * 501, "?text=ok&limit=0", "?text=%00"])
def test_similar_ideas_reject_bad_input(query, api_as):
    assert api_as("visitor").get(f"/api/v1/ideas/similar/{query}").status_code == 400


def test_similar_ideas_of_too_little_text_is_an_empty_list(api_as, world):
    assert api_as("visitor").get("/api/v1/ideas/similar/?text=a").json() == []


# --- Votes -----------------------------------------------------------------------------------


def test_voting_twice_is_one_vote_and_unvote_takes_it_back(world, api_as, customer):
    client = api_as(customer)
    url = f"/api/v1/ideas/{world.public.pk}/vote/"
    first = client.post(url).json()
    second = client.post(url).json()
    assert first == second == {"idea": world.public.pk, "vote_count": 1, "has_voted": True}
    assert Vote.objects.filter(idea=world.public).count() == 1
    removed = client.delete(url).json()
    assert removed == {"idea": world.public.pk, "vote_count": 0, "has_voted": False}
    assert client.delete(url).json()["vote_count"] == 0
    assert not Vote.objects.filter(idea=world.public).exists()


def test_vote_on_a_shipped_idea_is_refused_with_the_services_message(api_as):
    idea = factories.IdeaFactory(status=Status.SHIPPED)
    response = api_as("customer").post(f"/api/v1/ideas/{idea.pk}/vote/")
    assert response.status_code == 400
    assert response.json() == {"detail": "Voting is closed for this idea."}


def test_votes_are_rate_limited_like_the_pages(world, api_as, customer, settings):
    settings.LODE_RATE_LIMITS = {**settings.LODE_RATE_LIMITS, "vote": "2/d"}
    client = api_as(customer)
    url = f"/api/v1/ideas/{world.public.pk}/vote/"
    assert [client.post(url).status_code for _ in range(2)] == [200, 200]
    limited = client.delete(url)
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert "throttled" in limited.json()["detail"]


def test_every_api_request_counts_against_the_api_limit(api_as, settings):
    settings.LODE_RATE_LIMITS = {**settings.LODE_RATE_LIMITS, "api_ip": "3/d"}
    client = api_as("visitor")
    statuses = [client.get("/api/v1/categories/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


# --- Comments --------------------------------------------------------------------------------


def test_comment_is_validated_by_the_pages_form_and_saved_by_the_service(world, api_as):
    client = api_as("customer")
    url = f"/api/v1/ideas/{world.public.pk}/comments/"
    for bad in ({"body": ""}, {"body": "x" * 5001}, {"body": "Bell \x07"}, {}, {"body": 5}):
        assert client.post(url, bad, format="json").status_code == 400, bad
    response = client.post(url, {"body": "Counting on it."}, format="json")
    assert response.status_code == 201
    assert response.json()["author"] == world.public.author.display_name
    world.public.refresh_from_db()
    assert world.public.comment_count == 1  # the service keeps the public count exact


def test_private_note_by_sales_is_hidden_from_customers(world, api_as):
    url = f"/api/v1/ideas/{world.public.pk}/comments/"
    note = api_as("sales").post(url, {"body": "Deal hinges on it.", "is_internal": True})
    assert note.status_code == 201
    assert "Deal hinges" not in api_as("customer").get(url).content.decode()
    assert "Deal hinges" in api_as("staff").get(url).content.decode()


# --- Status ----------------------------------------------------------------------------------


def test_pm_changes_status_through_the_service(world, api_as, pm, customer):
    response = api_as(pm).post(
        f"/api/v1/ideas/{world.public.pk}/status/",
        {"status": "planned", "explanation": "Coming next quarter."},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "planned"
    assert response.json()["public_response"] == "Coming next quarter."
    change = StatusChange.objects.get(idea=world.public)
    assert (change.actor, change.to_status) == (pm, Status.PLANNED)
    assert change.evidence["arr"] == str(CANARY_ARR)  # the decision record was frozen


def test_declining_needs_an_explanation(world, api_as):
    url = f"/api/v1/ideas/{world.public.pk}/status/"
    client = api_as("pm")
    refused = client.post(url, {"status": "declined"}, format="json")
    assert refused.status_code == 400
    assert "explanation" in refused.json()
    blank = client.post(url, {"status": "declined", "explanation": "   "}, format="json")
    assert blank.status_code == 400
    ok = client.post(url, {"status": "declined", "explanation": "Out of scope."}, format="json")
    assert ok.status_code == 200
    assert Idea.objects.get(pk=world.public.pk).status == Status.DECLINED


@pytest.mark.parametrize(
    "body", [{}, {"status": "done"}, {"status": "new"}, {"status": "planned", "explanation": 7}]
)
def test_status_update_rejects_bad_input(body, world, api_as):
    response = api_as("pm").post(f"/api/v1/ideas/{world.public.pk}/status/", body, format="json")
    assert response.status_code == 400
    assert not StatusChange.objects.filter(idea=world.public).exists()


def test_status_of_a_merged_idea_is_refused_with_the_services_message(api_as, pm):
    source, target = factories.IdeaFactory(), factories.IdeaFactory()
    services.idea_merge(source=source, target=target, actor=pm)
    response = api_as(pm).post(
        f"/api/v1/ideas/{source.pk}/status/", {"status": "planned"}, format="json"
    )
    assert response.status_code == 400
    assert "merged" in response.json()["detail"]


# --- Signals ---------------------------------------------------------------------------------


def signal_body(**overrides) -> dict:
    body = {
        "account_external_id": CANARY_CRM_ID,
        "verbatim": "If you can't do SSO with Okta by Q3 we can't renew.",
        "summary": "Okta SSO or no renewal",
        "kind": "feature_request",
        "source": "meal",
        "heard_on": today(),
        "importance": "deal_breaker",
        "opportunity_value": "48000",
        "deal_stage": "renewal_at_risk",
        "contact_name": "Dana Lee",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def test_sales_captures_a_signal_by_crm_id_with_an_account_snapshot(world, api_as, sales):
    response = api_as(sales).post(
        "/api/v1/signals/", signal_body(idea=world.internal.pk), format="json"
    )
    assert response.status_code == 201, response.content
    signal = Signal.objects.get(pk=response.json()["id"])
    assert signal.captured_by == sales
    assert signal.account == world.account
    assert signal.account_arr == CANARY_ARR
    assert signal.idea == world.internal
    assert signal.opportunity_value == Decimal("48000")
    assert response.json()["account"]["external_id"] == CANARY_CRM_ID


def test_signal_by_account_id_and_defaults(world, api_as):
    response = api_as("staff").post(
        "/api/v1/signals/",
        {"account": world.account.pk, "verbatim": "We want PDFs."},
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["kind"], data["source"], data["importance"]) == (
        "feature_request",
        "meeting",
        "important",
    )
    assert data["heard_on"] == today()


def test_signal_for_a_new_prospect_creates_the_account(api_as, sales):
    response = api_as(sales).post(
        "/api/v1/signals/",
        signal_body(
            account_external_id=None, new_account_name="Globex Ltd", new_account_segment="retail"
        ),
        format="json",
    )
    assert response.status_code == 201, response.content
    prospect = Account.objects.get(name="Globex Ltd")
    assert (prospect.segment, prospect.lifecycle, prospect.owner) == ("retail", "prospect", sales)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"verbatim": None}, "verbatim"),
        ({"verbatim": "   "}, "verbatim"),
        ({"verbatim": "x" * 1_000_000}, "verbatim"),
        ({"verbatim": "NUL \x00"}, "verbatim"),
        ({"heard_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}, "heard_on"),
        ({"heard_on": "2001-01-01"}, "heard_on"),
        ({"heard_on": "yesterday"}, "heard_on"),
        ({"opportunity_value": "-1"}, "opportunity_value"),
        ({"opportunity_value": "12.345"}, "opportunity_value"),
        ({"opportunity_value": "NaN"}, "opportunity_value"),
        ({"opportunity_value": "1" * 20}, "opportunity_value"),
        ({"kind": "gossip"}, "kind"),
        ({"source": "pigeon"}, "source"),
        ({"importance": 3}, "importance"),
        ({"deal_stage": "maybe"}, "deal_stage"),
        ({"kind": "competitor"}, "competitor"),
        ({"account_external_id": "CRM-NOPE"}, "account_external_id"),
        ({"account_external_id": None}, "account"),
        ({"account": 10**30, "account_external_id": None}, "account"),
        ({"account": 999999, "account_external_id": None}, "account"),
        ({"account": "abc", "account_external_id": None}, "account"),
        ({"idea": 999999}, "idea"),
        ({"summary": "Two\nlines"}, "summary"),
        ({"new_account_region": "mars"}, "new_account_region"),
    ],
)
def test_signal_capture_validation(overrides, field, world, api_as):
    response = api_as("sales").post("/api/v1/signals/", signal_body(**overrides), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Signal.objects.filter(
        captured_by__role="sales", summary__startswith="Okta"
    ).exists()


def test_signal_cannot_name_an_account_twice(world, api_as):
    body = signal_body(account=world.account.pk)
    response = api_as("sales").post("/api/v1/signals/", body, format="json")
    assert response.status_code == 400
    assert "account_external_id" in response.json()


def test_signal_cannot_route_to_a_merged_idea(api_as, pm, world):
    source, target = factories.IdeaFactory(), factories.IdeaFactory()
    services.idea_merge(source=source, target=target, actor=pm)
    response = api_as("sales").post("/api/v1/signals/", signal_body(idea=source.pk), format="json")
    assert response.status_code == 400
    assert "idea" in response.json()


def test_signal_list_filters(world, api_as, sales):
    mine = factories.SignalFactory(captured_by=sales, idea=None)
    client = api_as(sales)
    everything = client.get("/api/v1/signals/").json()
    assert everything["count"] == 2
    assert [row["id"] for row in client.get("/api/v1/signals/?mine=true").json()["results"]] == [
        mine.pk
    ]
    on_idea = client.get(f"/api/v1/signals/?idea={world.public.pk}").json()["results"]
    assert [row["idea"] for row in on_idea] == [world.public.pk]
    assert client.get(f"/api/v1/signals/?idea={10**30}").status_code == 400
    assert client.get("/api/v1/signals/?mine=perhaps").status_code == 400


# --- Accounts --------------------------------------------------------------------------------


def test_account_upsert_is_idempotent_by_crm_id(api_as):
    client = api_as("pm")
    url = "/api/v1/accounts/SF-0042/"
    body = {
        "name": "Initech",
        "domain": "Initech.example",
        "segment": "technology",
        "region": "na",
        "plan": "enterprise",
        "arr": "250000.00",
        "lifecycle": "customer",
    }
    created = client.put(url, body, format="json")
    assert created.status_code == 201, created.content
    again = client.put(url, body, format="json")
    assert again.status_code == 200
    assert again.json() == created.json()
    assert Account.objects.filter(external_id="SF-0042").count() == 1
    account = Account.objects.get(external_id="SF-0042")
    assert account.domain == "initech.example"

    updated = client.put(url, {"name": "Initech Inc", "arr": "300000"}, format="json")
    assert updated.status_code == 200
    account.refresh_from_db()
    assert (account.name, account.arr) == ("Initech Inc", Decimal("300000"))
    assert (account.plan, account.lifecycle) == ("enterprise", "customer")  # left out: kept
    assert Account.objects.filter(external_id="SF-0042").count() == 1
    assert client.get(url).json()["arr"] == "300000.00"


@pytest.mark.parametrize(
    "body",
    [
        {"arr": "1000"},
        {"name": ""},
        {"name": "Initech", "arr": "-1"},
        {"name": "Initech", "arr": "ten"},
        {"name": "Initech", "segment": "space"},
        {"name": "Initech", "lifecycle": "zombie"},
        {"name": "Initech", "domain": "not a domain"},
        {"name": "Line\nbreak"},
        {"name": "x" * 1_000_000},
        {"name": "Acme", "domain": "acme.example"},  # another account's domain
    ],
)
def test_account_upsert_rejects_bad_input(body, world, api_as):
    response = api_as("admin_user").put("/api/v1/accounts/SF-0042/", body, format="json")
    assert response.status_code == 400, response.content
    assert not Account.objects.filter(external_id="SF-0042").exists()


@pytest.mark.parametrize("external_id", ["%00", "a%0Ab", "x" * 101])
def test_account_crm_id_in_the_url_is_validated(external_id, api_as):
    response = api_as("pm").put(f"/api/v1/accounts/{external_id}/", {"name": "X"}, format="json")
    assert response.status_code == 400
    assert "external_id" in response.json()


def test_crm_integration_user_with_account_permissions_may_upsert(api_as):
    from django.contrib.auth.models import Permission

    integration = factories.StaffFactory(email="crm-sync@lode.example")
    client = api_as(integration)
    assert (
        client.put("/api/v1/accounts/SF-1/", {"name": "Hooli"}, format="json").status_code == 403
    )
    integration.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_account", "change_account"])
    )
    assert (
        client.put("/api/v1/accounts/SF-1/", {"name": "Hooli"}, format="json").status_code == 201
    )
    customer = factories.CustomerFactory()
    customer.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_account", "change_account"])
    )
    assert api_as(customer).put("/api/v1/accounts/SF-2/", {"name": "X"}).status_code == 403


def test_account_list_searches_and_counts(world, api_as):
    client = api_as("sales")
    rows = client.get("/api/v1/accounts/?q=acme").json()["results"]
    assert [row["external_id"] for row in rows] == [CANARY_CRM_ID]
    assert rows[0]["signal_count"] == 1
    assert client.get(f"/api/v1/accounts/?q={CANARY_CRM_ID}").json()["count"] == 1
    assert client.get("/api/v1/accounts/NOPE/").status_code == 404


# --- Bad requests are 4xx JSON, never a 500 --------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "payload", "status"),
    [
        ("application/json", b'{"title": ', 400),
        ("application/json", b"\xff\xfe not utf-8", 400),
        ("application/json", b'["a", "list"]', 400),
        ("application/json", b'"a string"', 400),
        ("application/json", b"null", 400),
        ("application/json", b'{"title": NaN}', 400),
        ("application/json", b'{"title": "A lone \\ud800 surrogate"}', 400),
        ("application/json", b"[" * 100_000 + b"]" * 100_000, 400),
        ("application/json", b'{"title": "' + b"x" * 3_000_000 + b'"}', 413),
        ("text/plain", b"title=Dark mode for all", 415),
        ("application/x-www-form-urlencoded", b"title=Dark+mode+for+all", 415),
        ("multipart/form-data; boundary=x", b"--x--", 415),
        ("application/xml", b"<idea/>", 415),
    ],
)
def test_malformed_bodies_are_4xx_json(content_type, payload, status, api_as, customer):
    response = api_as(customer).generic(
        "POST", "/api/v1/ideas/", payload, content_type=content_type
    )
    assert response.status_code == status, response.content[:200]
    assert response["Content-Type"] == "application/json"
    assert response.json()


def test_unknown_urls_and_methods_answer_json(api_as, world):
    client = api_as("customer")
    missing = client.get("/api/v1/nothing/here/")
    assert missing.status_code == 404
    assert "docs" in missing.json()["detail"]
    # Without the slash Django would 500 on a POST (APPEND_SLASH); here it is a clear 404.
    assert client.post("/api/v1/ideas", {"title": "Dark mode everywhere"}).status_code == 404
    wrong = client.patch("/api/v1/ideas/", {}, format="json")
    assert wrong.status_code == 405
    assert wrong.json()["detail"]
    assert client.options("/api/v1/ideas/").status_code == 200
    assert client.options(f"/api/v1/ideas/{world.public.pk}/vote/").status_code == 200


def test_an_unexpected_error_is_a_500_that_names_no_internals(api_as, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("password=hunter2 at /srv/lode/secret.py")

    monkeypatch.setattr(queries, "similar_ideas", broken)
    response = api_as("customer").get("/api/v1/ideas/similar/?text=export")
    assert response.status_code == 500
    assert response.json() == {"detail": "Something went wrong on our side; it has been logged."}
    assert "hunter2" not in response.content.decode()


def test_production_renders_json_only():
    environment = {**os.environ, "DEBUG": "false", "SECRET_KEY": "s" * 50}
    environment["LODE_DOTENV"] = "/nonexistent/.env"
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'portal.settings'; "
        "django.setup(); from django.conf import settings; "
        "print(settings.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES'])"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['rest_framework.renderers.JSONRenderer']"


# --- Schema and docs -------------------------------------------------------------------------


def test_openapi_schema_validates_and_lists_every_endpoint(tmp_path):
    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    schema = yaml.safe_load(path.read_text())
    assert schema["info"]["title"] == "Lode API"
    assert set(schema["paths"]) == {
        "/api/v1/ideas/",
        "/api/v1/ideas/{id}/",
        "/api/v1/ideas/{id}/status/",
        "/api/v1/ideas/similar/",
        "/api/v1/ideas/{id}/vote/",
        "/api/v1/ideas/{id}/comments/",
        "/api/v1/signals/",
        "/api/v1/accounts/",
        "/api/v1/accounts/{external_id}/",
        "/api/v1/categories/",
    }
    methods = {(path, method) for path, item in schema["paths"].items() for method in item}
    assert {
        ("/api/v1/ideas/", "post"),
        ("/api/v1/ideas/{id}/vote/", "delete"),
        ("/api/v1/accounts/{external_id}/", "put"),
        ("/api/v1/signals/", "post"),
    } <= methods
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}


def test_schema_and_docs_pages_answer(client):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    assert json.loads(schema.content)["openapi"].startswith("3.")
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert "<script>" not in docs.text and "<style>" not in docs.text
    assert "swagger-ui-bundle.js" in docs.text


# --- Query counts ----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize("persona", ["visitor", "customer", "pm"])
def test_idea_list_query_count_is_fixed(size, persona, api_as, django_assert_max_num_queries):
    factories.IdeaFactory.create_batch(size)
    client = api_as(persona)
    # Token (with its user), the API limit per user and per IP, COUNT, the page's rows with
    # category, author and my vote (and for the company: evidence, account and owner).
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/ideas/")
    assert len(response.json()["results"]) == min(size, 25)


@pytest.mark.parametrize("size", [3, 30])
def test_other_list_query_counts_are_fixed(size, api_as, django_assert_max_num_queries):
    idea = factories.IdeaFactory()
    factories.CommentFactory.create_batch(size, idea=idea)
    factories.SignalFactory.create_batch(size, idea=idea)
    client = api_as("pm")
    # Token, limits (2), the idea, COUNT, the comments with their authors.
    with django_assert_max_num_queries(6):
        assert client.get(f"/api/v1/ideas/{idea.pk}/comments/").status_code == 200
    # Token, limits (2), COUNT, the signals with account and rep.
    with django_assert_max_num_queries(5):
        assert client.get("/api/v1/signals/").status_code == 200
    # Token, limits (2), COUNT, the accounts with owner and counts.
    with django_assert_max_num_queries(5):
        assert client.get("/api/v1/accounts/").status_code == 200


def test_similar_ideas_query_count_does_not_grow_with_the_suggestions(api_as):
    """queries.similar_ideas owns its queries; the API adds its limits and one for authors."""
    client = api_as("pm")
    url = "/api/v1/ideas/similar/?text=idea+product&limit=20"
    counts = []
    for new_ideas, suggestions in ((2, 2), (18, 20)):
        factories.IdeaFactory.create_batch(new_ideas)
        client.get(url)  # the first call after new ideas may refresh search statistics
        with CaptureQueriesContext(connection) as done:
            assert len(client.get(url).json()) == suggestions
        counts.append(len(done))
    assert counts[0] == counts[1]
