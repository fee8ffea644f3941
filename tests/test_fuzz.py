"""Bad input, generated (hypothesis): every form through its view and every API endpoint
that takes input, fed unicode of every plane, NUL bytes and control characters, numbers
out of range, wrong types, malformed JSON, wrong content types, huge bodies and no CSRF
token.

The properties: never a 500; an answer in the 4xx range names the problem and leaves no row
behind (Idea, Comment, Signal, Vote, StatusChange, Account, …); an accepted input leaves
whole rows (counters equal their rows, authors and commenters follow, signals have an
account). Each example runs in a savepoint that is rolled back, so examples never see each
other's rows or rate-limit counts.

On CI the examples are derandomized (the same every run); locally each run explores anew.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django import forms
from django.db import connection, transaction
from django.db.models import F, OuterRef, Q
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

from ideas.choices import (
    DealStage,
    Importance,
    Lifecycle,
    Plan,
    Region,
    Segment,
    SignalKind,
    Source,
    Status,
)
from ideas.models import (
    Account,
    Comment,
    Idea,
    Notification,
    ReleaseNote,
    ScoringWeights,
    Signal,
    StatusChange,
    Subscription,
    Tag,
    Vote,
)
from ideas.queries import count_rows
from tests import factories

pytestmark = pytest.mark.django_db

# Examples per test are kept small so the suite stays fast; LODE_FUZZ_SCALE=10 explores more.
SCALE = float(os.environ.get("LODE_FUZZ_SCALE", "1"))


def fuzz(examples: int) -> hypothesis_settings:
    return hypothesis_settings(
        max_examples=max(1, round(examples * SCALE)),
        deadline=None,
        database=None,
        derandomize=os.environ.get("CI") == "true",
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


# What a page or the API may answer to input it refuses.
CLIENT_ERRORS = {400, 401, 403, 404, 405, 413, 415, 429}
MODELS = (
    Idea,
    Comment,
    Signal,
    Vote,
    StatusChange,
    Account,
    Subscription,
    ReleaseNote,
    Notification,
    ScoringWeights,
    Tag,
)
# Models whose new rows are checked for wholeness after an accepted input.
NEWEST = (Idea, Comment, Signal, StatusChange)
ONE_MB = 1024 * 1024


@pytest.fixture(autouse=True)
def no_rate_limits_in_the_way(settings):
    # Every example is rolled back, counters included; still, never let a 429 hide a bug.
    settings.LODE_RATE_LIMITS = {}


# --- Strategies ------------------------------------------------------------------------------

# Any Unicode scalar value of any plane (surrogates cannot travel as UTF-8: they are tried
# through JSON escapes below).
any_char = st.characters(codec="utf-8")
any_text = st.text(any_char, max_size=200)
with_nul = st.builds(lambda a, b: f"{a}\x00{b}", any_text, any_text)
controls = st.text(
    st.characters(codec="utf-8", categories=["Cc", "Cf", "Co", "Zl", "Zp"]),
    min_size=1,
    max_size=12,
)
astral = st.text(st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF), min_size=1)
numbers_as_text = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.floats().map(str),
    st.sampled_from(
        [
            "NaN",
            "-inf",
            "1e309",
            "-0",
            "0x1F",
            "１２",  # fullwidth digits
            "²",  # a digit to str.isdigit(), not to int()
            "٣",  # Arabic-Indic three
            "1_000",
            " 7 ",
            "9" * 40,
            "-1",
            "0",
            "2147483648",
            "9223372036854775808",
        ]
    ),
)
dates_as_text = st.one_of(
    st.dates().map(str),
    st.sampled_from(["2024-02-30", "0000-01-01", "99999-01-01", "today", "1/2/3", ""]),
)
weird = st.one_of(
    any_text,
    with_nul,
    controls,
    astral,
    numbers_as_text,
    st.lists(any_text, min_size=2, max_size=3),  # a repeated form field
)


def field(*valid: object) -> st.SearchStrategy:
    """A form value: one of the valid ones, or anything weird."""
    return st.one_of(st.sampled_from([str(v) for v in valid]), weird) if valid else weird


def form(**fields: st.SearchStrategy) -> st.SearchStrategy:
    """Form data where every field may also be left out."""
    return st.fixed_dictionaries({}, optional=fields)


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(),  # NaN and infinities are not JSON: the parser must refuse them
    any_text,
    with_nul,
    astral,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
    max_leaves=6,
)


def jfield(*valid: object) -> st.SearchStrategy:
    """A JSON value: one of the valid ones, or any JSON of any type."""
    return st.one_of(st.sampled_from(list(valid)), json_values) if valid else json_values


def jbody(**fields: st.SearchStrategy) -> st.SearchStrategy:
    """A JSON body: an object whose fields may be left out or joined by unknown ones, or
    any other JSON value at the top level."""
    obj = st.builds(
        lambda known, extra: {**extra, **known},
        st.fixed_dictionaries({}, optional=fields),
        st.dictionaries(any_text, json_values, max_size=2),
    )
    return st.one_of(obj, obj, obj, json_values)


# --- The world every example starts from, and the checks -------------------------------------


@dataclass
class World:
    customer: Client
    sales: Client
    pm: Client
    customer_api: Client
    sales_api: Client
    pm_api: Client
    idea: Idea
    other: Idea
    shipped: Idea
    signal: Signal
    account: Account
    category_pk: int
    tag_pk: int
    pm_pk: int


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def token_client(user) -> Client:
    return Client(headers={"authorization": f"Token {Token.objects.create(user=user).key}"})


@pytest.fixture
def world() -> World:
    account = factories.AccountFactory(name="Acme Corp", domain="acme.example")
    customer = factories.CustomerFactory(account=account)
    sales = factories.SalesFactory()
    pm = factories.PMFactory()
    idea = factories.IdeaFactory(title="Export the board to a spreadsheet")
    factories.VoteFactory(idea=idea)
    Idea.objects.filter(pk=idea.pk).update(vote_count=1)
    return World(
        customer=logged_in(customer),
        sales=logged_in(sales),
        pm=logged_in(pm),
        customer_api=token_client(customer),
        sales_api=token_client(sales),
        pm_api=token_client(pm),
        idea=idea,
        other=factories.IdeaFactory(title="Single sign-on with our identity provider"),
        shipped=factories.IdeaFactory(title="Dark mode for the whole portal", status="shipped"),
        signal=factories.SignalFactory(idea=None, proposed_title="Audit log"),
        account=account,
        category_pk=factories.CategoryFactory().pk,
        tag_pk=factories.TagFactory().pk,
        pm_pk=pm.pk,
    )


@contextmanager
def rolled_back():
    """Run one example in a savepoint, then undo everything it wrote."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def row_counts() -> dict[str, int]:
    """How many rows each model has, and the newest id of those whose new rows are checked,
    in one query."""
    parts = [f'(SELECT count(*) FROM "{m._meta.db_table}")' for m in MODELS]  # noqa: S608
    parts += [f'(SELECT max(id) FROM "{m._meta.db_table}")' for m in NEWEST]  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))  # table names from the models
        row = cursor.fetchone()
    names = [m.__name__ for m in MODELS] + [f"newest {m.__name__}" for m in NEWEST]
    return {name: value or 0 for name, value in zip(names, row, strict=True)}


def rows_only(counts: dict[str, int]) -> dict[str, int]:
    return {name: value for name, value in counts.items() if not name.startswith("newest")}


def idea_state(idea: Idea) -> tuple:
    return tuple(
        Idea.objects.filter(pk=idea.pk).values_list(
            "title",
            "body",
            "status",
            "visibility",
            "effort",
            "strategic_fit",
            "owner",
            "merged_into",
            "category",
            "vote_count",
            "comment_count",
        )[0]
    )


def bound_forms_with_errors(response) -> list[forms.BaseForm]:
    contexts = response.context if isinstance(response.context, list) else [response.context]
    return [
        value
        for context in contexts
        if context is not None
        for value in context.flatten().values()
        if isinstance(value, forms.BaseForm) and value.is_bound and value.errors
    ]


def assert_rows_whole(before: dict[str, int]) -> None:
    """After an accepted input: the rows it wrote are complete and the counters true."""
    wrong = Idea.objects.alias(
        true_votes=count_rows(Vote.objects.filter(idea=OuterRef("pk"))),
        true_comments=count_rows(Comment.objects.filter(idea=OuterRef("pk"), is_internal=False)),
    ).filter(~Q(vote_count=F("true_votes")) | ~Q(comment_count=F("true_comments")))
    assert not wrong.exists(), list(wrong.values("pk", "vote_count", "comment_count"))
    for idea in Idea.objects.filter(pk__gt=before["newest Idea"]):
        assert Subscription.objects.filter(idea=idea, user=idea.author).exists(), idea
    for comment in Comment.objects.filter(pk__gt=before["newest Comment"]):
        assert Subscription.objects.filter(idea=comment.idea, user=comment.author).exists()
        assert comment.body and "\x00" not in comment.body
    for signal in Signal.objects.filter(pk__gt=before["newest Signal"]):
        assert signal.account_id is not None and signal.verbatim
        assert (signal.idea_id is None) == (signal.routed_at is None)
    for change in StatusChange.objects.filter(pk__gt=before["newest StatusChange"], kind="status"):
        assert change.to_status in Status.values


FUZZ_CASES = {"count": 0}


@pytest.fixture(autouse=True, scope="module")
def report_fuzz_cases():
    yield
    print(f"\ntests/test_fuzz.py sent {FUZZ_CASES['count']} requests")  # shown with -s


def check(send: Callable[[], object], *, page_form: bool = False, idea: Idea | None = None):
    """Send one request and check the properties; returns the response."""
    FUZZ_CASES["count"] += 1
    before = row_counts()
    state = idea_state(idea) if idea is not None else None
    response = send()
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)  # a streamed answer fails while it streams
    status = response.status_code
    assert status < 500, status
    if status >= 400:
        assert status in CLIENT_ERRORS, status
        assert rows_only(row_counts()) == rows_only(before), "a refused request left rows"
        if state is not None:
            assert idea_state(idea) == state, "a refused request changed the idea"
        if page_form and status == 400:
            assert bound_forms_with_errors(response), "a 400 without the form's errors"
            assert b"alert-danger" in response.content or b"invalid-feedback" in (response.content)
    else:
        assert status in (200, 201, 204, 301, 302), status
        assert_rows_whole(before)
    return response


# --- The page forms, through their views ---------------------------------------------------


@dataclass(frozen=True)
class PageForm:
    name: str
    persona: str
    url: Callable[[World], str]
    fields: Callable[[World], st.SearchStrategy]
    idea: Callable[[World], Idea] | None = None
    method: str = "post"


def today() -> str:
    return timezone.localdate().isoformat()


PAGE_FORMS = [
    PageForm(
        "post an idea",
        "customer",
        lambda w: "/ideas/new/",
        lambda w: form(
            title=field("A perfectly reasonable idea title", "Short"),
            body=field("", "Because *we* need it."),
            category=field(w.category_pk, ""),
        ),
    ),
    PageForm(
        "comment",
        "customer",
        lambda w: f"/ideas/{w.idea.pk}/comments/",
        lambda w: form(body=field("Yes, please!"), is_internal=field("on", "")),
        idea=lambda w: w.idea,
    ),
    PageForm(
        "capture a signal",
        "sales",
        lambda w: "/capture/",
        lambda w: form(
            account=field(w.account.pk, ""),
            account_query=field("Acme Corp", "acme.example", ""),
            new_account_name=field("", "Initech"),
            new_account_segment=field("", *Segment.values),
            new_account_region=field("", *Region.values),
            contact_name=field("", "Dana"),
            contact_role=field("", "CFO"),
            verbatim=field("We would buy more seats with SSO."),
            summary=field("", "Wants SSO"),
            kind=field(*SignalKind.values),
            competitor=field("", "Globex"),
            source=field(*Source.values),
            heard_on=st.one_of(st.just(today()), dates_as_text, weird),
            importance=field(*Importance.values),
            opportunity_value=field("", "25000", "1250.50"),
            deal_stage=field("", *DealStage.values),
            idea=field("", w.idea.pk, w.shipped.pk),
            proposed_title=field("", "Single sign-on"),
        ),
    ),
    PageForm(
        "triage: status",
        "pm",
        lambda w: f"/triage/ideas/{w.idea.pk}/status/",
        lambda w: form(status=field(*Status.values), explanation=field("", "Because.")),
        idea=lambda w: w.idea,
    ),
    PageForm(
        "triage: edit",
        "pm",
        lambda w: f"/triage/ideas/{w.idea.pk}/edit/",
        lambda w: form(
            title=field("A clearer title for this idea"),
            body=field("", "More detail."),
            category=field("", w.category_pk),
            tags=field("", w.tag_pk),
        ),
        idea=lambda w: w.idea,
    ),
    PageForm(
        "triage: inputs",
        "pm",
        lambda w: f"/triage/ideas/{w.idea.pk}/inputs/",
        lambda w: form(
            effort=field("", "2.5", "9999", "10000", "0.05"),
            strategic_fit=field("", "0", "5", "6"),
        ),
        idea=lambda w: w.idea,
    ),
    PageForm(
        "triage: merge",
        "pm",
        lambda w: f"/triage/ideas/{w.idea.pk}/merge/",
        lambda w: form(target=field(w.other.pk, w.idea.pk)),
        idea=lambda w: w.idea,
    ),
    PageForm(
        "triage: owner",
        "pm",
        lambda w: f"/triage/ideas/{w.idea.pk}/owner/",
        lambda w: form(owner=field("", w.pm_pk)),
        idea=lambda w: w.idea,
    ),
    PageForm(
        "triage: visibility",
        "pm",
        lambda w: f"/triage/ideas/{w.idea.pk}/visibility/",
        lambda w: form(visibility=field("public", "internal")),
        idea=lambda w: w.idea,
    ),
    PageForm(
        "triage: private note",
        "pm",
        lambda w: f"/triage/ideas/{w.idea.pk}/note/",
        lambda w: form(body=field("Talked to finance."), is_internal=field("on")),
        idea=lambda w: w.idea,
    ),
    PageForm(
        "triage: route a signal",
        "pm",
        lambda w: f"/triage/signals/{w.signal.pk}/route/",
        lambda w: form(idea=field(w.idea.pk, w.shipped.pk)),
    ),
    PageForm(
        "triage: new idea from a signal",
        "pm",
        lambda w: f"/triage/signals/{w.signal.pk}/new-idea/",
        lambda w: form(title=field("An audit log of every change"), category=field("")),
    ),
    PageForm(
        "board: bulk",
        "pm",
        lambda w: "/board/bulk/",
        lambda w: form(
            ideas=field(w.idea.pk, w.other.pk),
            select_all=field("on", ""),
            page_ideas=field(w.idea.pk),
            action=field("status", "category", "owner", "add_tags", "remove_tags"),
            status=field("", *Status.values),
            explanation=field("", "Not now."),
            category=field("none", w.category_pk),
            owner=field("none", w.pm_pk),
            tags=field(w.tag_pk),
            next=field("/board/", "https://evil.example/"),
        ),
    ),
    PageForm(
        "board: weights",
        "pm",
        lambda w: "/board/weights/",
        lambda w: form(
            **{
                name: field("1", "0.5", "-10", "10", "0")
                for name in (*ScoringWeights.WEIGHT_FIELDS, "win_probability_prospect")
            },
            win_probability_open=field("0.3", "1", "1.5"),
        ),
    ),
    PageForm(
        "notification preferences",
        "customer",
        lambda w: "/notifications/preferences/",
        lambda w: form(email_frequency=field("immediately", "daily", "off")),
    ),
    PageForm(
        "release note",
        "pm",
        lambda w: "/changelog/new/",
        lambda w: form(
            title=field("Dark mode", "X"),
            body=field("It shipped."),
            ideas=field(w.shipped.pk, w.idea.pk),
        ),
    ),
    # Fragments and lists that take GET parameters.
    PageForm(
        "capture: account search",
        "sales",
        lambda w: "/capture/accounts/",
        lambda w: form(account_query=field("acme", "")),
        method="get",
    ),
    PageForm(
        "capture: idea suggestions",
        "sales",
        lambda w: "/capture/suggestions/",
        lambda w: form(
            summary=field("export"), verbatim=field("spreadsheet"), idea=field(w.idea.pk)
        ),
        method="get",
    ),
    PageForm(
        "CRM: accounts",
        "sales",
        lambda w: "/crm/accounts/",
        lambda w: form(q=field("acme"), page=field("1", "2")),
        method="get",
    ),
    PageForm(
        "similar ideas while typing",
        "customer",
        lambda w: "/ideas/similar/",
        lambda w: form(title=field("export board"), text=field("sso")),
        method="get",
    ),
    PageForm(
        "forum: list, search, filters",
        "customer",
        lambda w: "/",
        lambda w: form(
            q=field("export", '"exact phrase" -not or'),
            sort=field("trending", "top", "new"),
            status=field(*Status.values),
            category=field(""),
            page=field("1"),
        ),
        method="get",
    ),
    PageForm(
        "board and its CSV",
        "pm",
        lambda w: "/board/export.csv",
        lambda w: form(
            sort=field("score", "title"),
            dir=field("asc", "desc"),
            category=field(w.category_pk),
            status=field(*Status.values),
            segment=field(*Segment.values),
            page=field("1"),
        ),
        method="get",
    ),
    PageForm(
        "triage queue",
        "pm",
        lambda w: "/triage/",
        lambda w: form(
            source=field("customer", "sales"),
            age=field("week", "older"),
            order=field("newest"),
            page=field("1"),
        ),
        method="get",
    ),
]


@pytest.mark.parametrize("page_form", PAGE_FORMS, ids=lambda p: p.name)
@fuzz(6)
@given(data=st.data())
def test_page_forms_answer_bad_input_with_a_4xx_and_write_nothing(world, page_form, data):
    values = data.draw(page_form.fields(world), label="form data")
    htmx = data.draw(st.booleans(), label="htmx")
    client = getattr(world, page_form.persona)
    url = page_form.url(world)
    headers = {"HX-Request": "true"} if htmx else {}
    idea = page_form.idea(world) if page_form.idea else None
    with rolled_back():
        send = getattr(client, page_form.method)
        check(
            lambda: send(url, values, headers=headers),
            page_form=page_form.method == "post",
            idea=idea,
        )


@fuzz(8)
@given(body=st.binary(max_size=300), content_type=st.sampled_from(["form", "multipart"]))
def test_raw_bytes_in_a_form_body_never_fail(world, body, content_type):
    """Bodies that are not valid UTF-8 or not valid multipart."""
    kind = {
        "form": "application/x-www-form-urlencoded",
        "multipart": "multipart/form-data; boundary=lode",
    }[content_type]
    with rolled_back():
        check(lambda: world.customer.post("/ideas/new/", body, content_type=kind))
    with rolled_back():
        check(lambda: world.sales.post("/capture/", body, content_type=kind))


ID_URLS = [
    ("/ideas/{pk}/vote/", "customer"),
    ("/ideas/{pk}/unvote/", "customer"),
    ("/ideas/{pk}/comments/", "customer"),
    ("/ideas/{pk}/follow/", "customer"),
    ("/triage/ideas/{pk}/status/", "pm"),
    ("/triage/ideas/{pk}/merge/", "pm"),
    ("/triage/signals/{pk}/route/", "pm"),
    ("/capture/accounts/{pk}/pick/", "sales"),
    ("/api/v1/ideas/{pk}/vote/", "customer_api"),
    ("/api/v1/ideas/{pk}/status/", "pm_api"),
    ("/api/v1/ideas/{pk}/comments/", "customer_api"),
]


@fuzz(20)
@given(target=st.sampled_from(ID_URLS), pk=st.integers(min_value=0, max_value=10**40))
def test_ids_out_of_range_in_urls_are_a_404(world, target, pk):
    url, persona = target
    if pk < 10**6:
        pk += 10**9  # never one of the world's rows
    method = "get" if "pick" in url else "post"
    with rolled_back():
        response = check(
            lambda: getattr(getattr(world, persona), method)(
                url.format(pk=pk), {"status": "planned", "body": "Yes"}
            )
        )
    assert response.status_code == 404


# --- Big, NUL and CSRF: a few fixed cases --------------------------------------------------


def test_a_one_megabyte_field_is_a_400_that_says_so(world):
    for url, persona, name in [
        ("/ideas/new/", "customer", "title"),
        ("/ideas/new/", "customer", "body"),
        ("/ideas/{pk}/comments/", "customer", "body"),
        ("/capture/", "sales", "verbatim"),
        ("/triage/ideas/{pk}/status/", "pm", "explanation"),
        ("/changelog/new/", "pm", "body"),
    ]:
        data = {
            "title": "A perfectly reasonable idea title",
            "status": "planned",
            name: "x" * ONE_MB,
        }
        response = check(
            lambda url=url, persona=persona, data=data: getattr(world, persona).post(
                url.format(pk=world.idea.pk), data
            ),
            page_form=True,
            idea=world.idea,
        )
        assert response.status_code == 400, url
        assert b"at most" in response.content or b"Ensure this value" in response.content


def test_a_body_over_the_upload_limit_is_refused(world):
    page = check(lambda: world.customer.post("/ideas/new/", {"body": "x" * (3 * ONE_MB)}))
    assert page.status_code == 400
    api = check(
        lambda: world.customer_api.post(
            "/api/v1/ideas/",
            json.dumps({"title": "A fine title", "body": "x" * (3 * ONE_MB)}),
            content_type="application/json",
        )
    )
    assert api.status_code == 413 and "too large" in api.json()["detail"]


def test_nul_bytes_in_a_form_are_a_400_naming_them(world):
    for url, persona, data in [
        ("/ideas/new/", "customer", {"title": "Nul\x00 in the title of it"}),
        ("/ideas/{pk}/comments/", "customer", {"body": "a\x00b"}),
        ("/capture/", "sales", {"verbatim": "x\x00", "account_query": "Acme Corp"}),
        ("/triage/ideas/{pk}/edit/", "pm", {"title": "A good long title\x00"}),
        ("/triage/ideas/{pk}/status/", "pm", {"status": "declined", "explanation": "\x00"}),
        ("/changelog/new/", "pm", {"title": "Release\x00", "body": "ok"}),
    ]:
        response = check(
            lambda url=url, persona=persona, data=data: getattr(world, persona).post(
                url.format(pk=world.idea.pk), data
            ),
            page_form=True,
            idea=world.idea,
        )
        assert response.status_code == 400, url
        # Django's own "Null characters are not allowed." or the forms' wording.
        content = response.content
        assert b"Null characters" in content or b"control characters" in content, url


def test_without_a_csrf_token_a_logged_in_post_is_a_403(world):
    clients = {}
    for persona, user in {
        "customer": world.idea.votes.first().user,
        "sales": factories.SalesFactory(),
        "pm": factories.PMFactory(),
    }.items():
        clients[persona] = Client(enforce_csrf_checks=True)
        clients[persona].force_login(user)
    for url, persona, data in [
        ("/ideas/new/", "customer", {"title": "A perfectly reasonable idea title"}),
        ("/ideas/{pk}/comments/", "customer", {"body": "Yes please"}),
        ("/ideas/{pk}/vote/", "customer", {}),
        ("/capture/", "sales", {"verbatim": "We need SSO", "account_query": "Acme Corp"}),
        ("/triage/ideas/{pk}/status/", "pm", {"status": "planned"}),
        ("/triage/ideas/{pk}/merge/", "pm", {"target": world.other.pk}),
        ("/board/weights/", "pm", {"reset": "1"}),
        ("/changelog/new/", "pm", {"title": "Shipped", "body": "It shipped."}),
        ("/api/v1/ideas/", "customer", {"title": "A perfectly reasonable idea title"}),
        ("/api/v1/ideas/{pk}/comments/", "customer", {"body": "Yes please"}),
        ("/api/v1/ideas/{pk}/vote/", "customer", {}),
        ("/api/v1/ideas/{pk}/status/", "pm", {"status": "planned"}),
    ]:
        client, url = clients[persona], url.format(pk=world.idea.pk)
        if url.startswith("/api/"):
            payload = json.dumps(data)
            response = check(
                lambda c=client, u=url, p=payload: c.post(u, p, content_type="application/json"),
                idea=world.idea,
            )
            assert response.status_code == 403, url
            assert "CSRF" in response.json()["detail"]
        else:
            response = check(lambda c=client, u=url, d=data: c.post(u, d), idea=world.idea)
            assert response.status_code == 403, url


# --- The API -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str
    persona: str
    method: str
    url: Callable[[World], str]
    body: Callable[[World], st.SearchStrategy]


API_WRITES = [
    Endpoint(
        "ideas: create",
        "customer_api",
        "post",
        lambda w: "/api/v1/ideas/",
        lambda w: jbody(
            title=jfield("A perfectly reasonable idea title", "short"),
            body=jfield("", "Because."),
            category=jfield(None, "category-0", "no-such-category"),
        ),
    ),
    Endpoint(
        "ideas: status",
        "pm_api",
        "post",
        lambda w: f"/api/v1/ideas/{w.idea.pk}/status/",
        lambda w: jbody(status=jfield(*Status.values), explanation=jfield("", "Because.")),
    ),
    Endpoint(
        "ideas: comment",
        "customer_api",
        "post",
        lambda w: f"/api/v1/ideas/{w.idea.pk}/comments/",
        lambda w: jbody(body=jfield("Yes please"), is_internal=jfield(False, True, "yes")),
    ),
    Endpoint(
        "signals: create",
        "sales_api",
        "post",
        lambda w: "/api/v1/signals/",
        lambda w: jbody(
            account=jfield(w.account.pk, None, 0, 2**63),
            account_external_id=jfield("", w.account.external_id, "CRM-NOPE"),
            new_account_name=jfield("", "Initech"),
            new_account_segment=jfield("", *Segment.values),
            new_account_region=jfield("", *Region.values),
            contact_name=jfield("", "Dana"),
            contact_role=jfield("CFO"),
            verbatim=jfield("We would buy more seats with SSO."),
            summary=jfield("", "Wants SSO"),
            kind=jfield(*SignalKind.values),
            competitor=jfield("", "Globex"),
            source=jfield(*Source.values),
            heard_on=jfield(today(), "2024-02-30", "tomorrow"),
            importance=jfield(*Importance.values),
            opportunity_value=jfield(None, "25000", 1250.5, -1, "1e20", "NaN"),
            deal_stage=jfield("", *DealStage.values),
            idea=jfield(None, w.idea.pk, w.shipped.pk),
            proposed_title=jfield("", "Single sign-on"),
        ),
    ),
    Endpoint(
        "accounts: upsert",
        "pm_api",
        "put",
        lambda w: f"/api/v1/accounts/{w.account.external_id}/",
        lambda w: jbody(
            name=jfield("Acme Corp", "Initech"),
            domain=jfield("", "acme.example", "initech.example", "not a domain"),
            segment=jfield("", *Segment.values),
            region=jfield("", *Region.values),
            plan=jfield("", *Plan.values),
            arr=jfield("120000", 0, -5, "1e40", "NaN"),
            lifecycle=jfield(*Lifecycle.values),
        ),
    ),
]


def send_json(client: Client, method: str, url: str, body: object, *, ascii_only: bool):
    payload = json.dumps(body, ensure_ascii=ascii_only)
    return getattr(client, method)(url, payload, content_type="application/json")


def assert_api_error_is_clear(response) -> None:
    if 400 <= response.status_code < 500 and response.status_code != 404:
        detail = response.json()
        assert detail, "an API error without a message"
    elif response.status_code == 404:
        assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("endpoint", API_WRITES, ids=lambda e: e.name)
@fuzz(12)
@given(data=st.data())
def test_api_writes_answer_bad_json_with_a_4xx_and_write_nothing(world, endpoint, data):
    body = data.draw(endpoint.body(world), label="body")
    ascii_only = data.draw(st.booleans(), label="ensure_ascii")
    client = getattr(world, endpoint.persona)
    with rolled_back():
        response = check(
            lambda: send_json(
                client, endpoint.method, endpoint.url(world), body, ascii_only=ascii_only
            ),
            idea=world.idea,
        )
        assert_api_error_is_clear(response)


# Not JSON at all, or JSON Python reads but Lode cannot store.
malformed = st.one_of(
    st.binary(max_size=200),
    any_text.map(str.encode),
    st.sampled_from(
        [
            b'{"title": "unterminated',
            b'{"title": NaN}',
            b'{"title": Infinity}',
            b'{"title": "\\ud800 a lone surrogate"}',
            b'{"body": "\\udfff"}',
            b"[" * 5000 + b"]" * 5000,
            b'{"a":' * 3000 + b"1" + b"}" * 3000,
            b"\xef\xbb\xbf{}",  # a byte-order mark
            b"\xff\xfe{\x00}\x00",  # UTF-16
            b"",
            b"null",
            b'"a string"',
            b"12",
        ]
    ),
)


@pytest.mark.parametrize("endpoint", API_WRITES, ids=lambda e: e.name)
@fuzz(8)
@given(body=malformed)
def test_api_malformed_json_is_a_400(world, endpoint, body):
    client = getattr(world, endpoint.persona)
    with rolled_back():
        response = check(
            lambda: getattr(client, endpoint.method)(
                endpoint.url(world), body, content_type="application/json"
            ),
            idea=world.idea,
        )
        assert response.status_code == 400, response.content
        assert_api_error_is_clear(response)


@pytest.mark.parametrize("endpoint", API_WRITES, ids=lambda e: e.name)
@fuzz(4)
@given(
    content_type=st.one_of(
        st.sampled_from(
            [
                "text/plain",
                "application/xml",
                "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x",
                "application/json-patch+json",
                "text/json",
                "image/png",
                "",
            ]
        ),
        st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=40),
    )
)
def test_api_wrong_content_type_is_a_415(world, endpoint, content_type):
    client = getattr(world, endpoint.persona)
    body = json.dumps({"title": "A perfectly reasonable idea title", "body": "x"})
    with rolled_back():
        response = check(
            lambda: getattr(client, endpoint.method)(
                endpoint.url(world), body, content_type=content_type
            ),
            idea=world.idea,
        )
    if content_type.split(";")[0].strip().lower() != "application/json":
        assert response.status_code in (400, 415), (content_type, response.content)


API_READS = [
    Endpoint(
        "ideas: list",
        "customer_api",
        "get",
        lambda w: "/api/v1/ideas/",
        lambda w: form(
            q=field("export"),
            status=field(*Status.values),
            category=field("category-0"),
            sort=field("trending", "top", "new"),
            page=field("1", "2"),
            page_size=field("1", "100", "101"),
        ),
    ),
    Endpoint(
        "ideas: similar",
        "customer_api",
        "get",
        lambda w: "/api/v1/ideas/similar/",
        lambda w: form(text=field("export board"), limit=field("1", "20", "21")),
    ),
    Endpoint(
        "signals: list",
        "sales_api",
        "get",
        lambda w: "/api/v1/signals/",
        lambda w: form(
            mine=field("true", "false"),
            idea=field(w.idea.pk),
            account=field(w.account.pk),
            page=field("1"),
        ),
    ),
    Endpoint(
        "accounts: list",
        "pm_api",
        "get",
        lambda w: "/api/v1/accounts/",
        lambda w: form(q=field("acme", "CRM-00001")),
    ),
    Endpoint(
        "comments: list",
        "customer_api",
        "get",
        lambda w: f"/api/v1/ideas/{w.idea.pk}/comments/",
        lambda w: form(page=field("1"), page_size=field("5")),
    ),
]


@pytest.mark.parametrize("endpoint", API_READS, ids=lambda e: e.name)
@fuzz(8)
@given(data=st.data())
def test_api_query_parameters_never_fail(world, endpoint, data):
    params = data.draw(endpoint.body(world), label="query")
    client = getattr(world, endpoint.persona)
    with rolled_back():
        response = check(lambda: client.get(endpoint.url(world), params))
        assert_api_error_is_clear(response)


@fuzz(10)
@given(
    external_id=st.one_of(any_text, with_nul, controls, astral, numbers_as_text),
    method=st.sampled_from(["get", "put"]),
)
def test_api_account_ids_in_the_url_never_fail(world, external_id, method):
    url = f"/api/v1/accounts/{quote(external_id, safe='')}/"
    body = json.dumps({"name": "Initech"})
    if method == "get":
        send = lambda: world.pm_api.get(url)  # noqa: E731
    else:
        send = lambda: world.pm_api.put(url, body, content_type="application/json")  # noqa: E731
    with rolled_back():
        response = check(send)
        assert_api_error_is_clear(response)


@fuzz(8)
@given(token=st.one_of(any_text, with_nul, astral, st.text(min_size=40, max_size=41)))
def test_api_malformed_tokens_are_a_401(world, token):
    try:
        header = f"Token {token}"
        header.encode("latin-1")
    except UnicodeEncodeError:
        return  # HTTP headers are latin-1: a client could not send it
    client = Client(headers={"authorization": header})
    with rolled_back():
        response = check(
            lambda: client.post(
                "/api/v1/ideas/", json.dumps({"title": "x" * 10}), content_type="application/json"
            )
        )
    assert response.status_code in (400, 401), response.content


def test_a_next_that_is_not_a_path_goes_back_to_the_default_page(world):
    """Regression: redirect() took a bare word for a URL pattern's name (a 500)."""
    for next_url in ["0", "j", "ideas", "ideas:list", "./x", "http://[::1"]:
        with rolled_back():
            vote = check(
                lambda n=next_url: world.customer.post(
                    f"/ideas/{world.other.pk}/vote/", {"next": n}
                )
            )
            assert vote.status_code == 302
            assert vote["Location"] == world.other.get_absolute_url()
        with rolled_back():
            bulk = check(lambda n=next_url: world.pm.post("/board/bulk/", {"next": n}))
            assert bulk.status_code == 302 and bulk["Location"] == "/board/"


def test_a_megabyte_of_text_is_not_ranked_for_similar_ideas(world, monkeypatch):
    """Regression: a refused capture or idea form ranked its whole text (a megabyte took
    seconds); they now read as much as the suggestion fragments do."""
    from ideas import queries

    seen: list[tuple[int, int]] = []

    def similar_ideas(text, *, body="", **kwargs):
        seen.append((len(text), len(body)))
        return []

    monkeypatch.setattr(queries, "similar_ideas", similar_ideas)
    big = "word " * (ONE_MB // 5)
    capture = world.sales.post("/capture/", {"summary": big, "verbatim": big})
    idea = world.customer.post("/ideas/new/", {"title": big})
    assert capture.status_code == idea.status_code == 400
    assert seen == [(200, 5000), (500, 0)]
