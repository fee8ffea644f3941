"""The Django admin: every page answers, changelists cost a fixed number of queries, and the
operator tools (recount, account snapshot, email normalisation) do what they say."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ideas.choices import (
    ActivityKind,
    DealStage,
    Importance,
    Lifecycle,
    Plan,
    Region,
    Segment,
    SignalKind,
    Status,
    SubscriptionReason,
)
from ideas.models import (
    Account,
    Category,
    Comment,
    Idea,
    Signal,
    StatusChange,
    Subscription,
    Tag,
    Vote,
    Webhook,
    WebhookDelivery,
)
from portal.models import Role, User

pytestmark = pytest.mark.django_db

_serial = itertools.count(1)


# --- Small local builders (plain ORM, so this file stands alone) ----------------------------


def make_user(role: str = Role.CUSTOMER, account: Account | None = None) -> User:
    n = next(_serial)
    return User.objects.create_user(
        email=f"person{n}@example.com",
        password="pw",
        name=f"Person {n}",
        role=role,
        account=account,
    )


def make_account(**extra: object) -> Account:
    n = next(_serial)
    fields = {
        "name": f"Account {n}",
        "domain": f"account{n}.example",
        "segment": Segment.TECHNOLOGY,
        "region": Region.EMEA,
        "plan": Plan.ENTERPRISE,
        "arr": Decimal("120000.00"),
        "lifecycle": Lifecycle.CUSTOMER,
        "owner": make_user(Role.SALES),
        **extra,
    }
    return Account.objects.create(**fields)


def make_category() -> Category:
    n = next(_serial)
    return Category.objects.create(name=f"Category {n}", slug=f"category-{n}")


def make_idea(**extra: object) -> Idea:
    """An idea with every foreign key set, so a changelist N+1 would show."""
    n = next(_serial)
    account = make_account()
    fields = {
        "title": f"Idea {n}",
        "body": "Export dashboards to PDF.",
        "category": make_category(),
        "author": make_user(account=account),
        "account": account,
        "owner": make_user(Role.PM),
        **extra,
    }
    idea = Idea.objects.create(**fields)
    idea.tags.add(Tag.objects.create(name=f"tag {n}", slug=f"tag-{n}"))
    return idea


def make_vote() -> Vote:
    return Vote.objects.create(idea=make_idea(), user=make_user())


def make_comment() -> Comment:
    return Comment.objects.create(idea=make_idea(), author=make_user(), body="Yes please.")


def make_signal() -> Signal:
    return Signal.objects.create(
        captured_by=make_user(Role.SALES),
        account=make_account(),
        contact_name="Dana CFO",
        verbatim="We will not renew without SSO.",
        summary="SSO is a renewal blocker",
        kind=SignalKind.FEATURE_REQUEST,
        heard_on=datetime.date(2025, 3, 14),
        importance=Importance.DEAL_BREAKER,
        opportunity_value=Decimal("250000"),
        deal_stage=DealStage.RENEWAL_AT_RISK,
        idea=make_idea(),
        routed_by=make_user(Role.PM),
    )


def make_status_change() -> StatusChange:
    return StatusChange.objects.create(
        idea=make_idea(),
        actor=make_user(Role.PM),
        kind=ActivityKind.STATUS,
        from_status=Status.NEW,
        to_status=Status.PLANNED,
        explanation="On the Q3 roadmap.",
    )


def make_subscription() -> Subscription:
    return Subscription.objects.create(
        idea=make_idea(), user=make_user(), reason=SubscriptionReason.FOLLOWER
    )


def make_webhook() -> Webhook:
    return Webhook.objects.create(url="https://hooks.example.com/lode", events=["idea.created"])


def make_webhook_delivery() -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        webhook=make_webhook(), event="idea.created", payload={"id": 1}
    )


BUILDERS: dict[type[Model], Callable[[], Model]] = {
    User: make_user,
    Group: lambda: Group.objects.create(name=f"Group {next(_serial)}"),
    Account: make_account,
    Category: make_category,
    Tag: lambda: Tag.objects.create(name=f"tag {next(_serial)}", slug=f"t-{next(_serial)}"),
    Idea: make_idea,
    Vote: make_vote,
    Comment: make_comment,
    Signal: make_signal,
    StatusChange: make_status_change,
    Subscription: make_subscription,
    Webhook: make_webhook,
    WebhookDelivery: make_webhook_delivery,
}

# Votes and timeline entries are records of what people did: the admin may not forge them.
NO_ADD = {Vote, StatusChange, WebhookDelivery}


def admin_url(model: type[Model], view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def model_id(model: type[Model]) -> str:
    return model.__name__


# --- Every page answers ---------------------------------------------------------------------


def test_every_model_is_registered() -> None:
    registered = set(admin.site._registry)
    assert set(BUILDERS) <= registered
    ours = {m for m in registered if m._meta.app_label in {"ideas", "portal"}}
    assert ours == set(BUILDERS) - {Group}


@pytest.mark.parametrize("model", BUILDERS, ids=model_id)
def test_changelist_search_and_change_pages_answer(admin_client: Client, model: type) -> None:
    obj = BUILDERS[model]()
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    assert admin_client.get(admin_url(model, "changelist"), {"q": "x"}).status_code == 200
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", BUILDERS, ids=model_id)
def test_add_page_answers_where_adding_is_allowed(admin_client: Client, model: type) -> None:
    response = admin_client.get(admin_url(model, "add"))
    assert response.status_code == (403 if model in NO_ADD else 200)


@pytest.mark.parametrize("model", [Vote, StatusChange], ids=model_id)
def test_records_of_people_actions_are_read_only(admin_client: Client, model: type) -> None:
    obj = BUILDERS[model]()
    response = admin_client.get(admin_url(model, "change", obj.pk))
    assert response.status_code == 200
    assert b'name="_save"' not in response.content


@pytest.mark.parametrize(
    ("model", "params"),
    [
        (User, {"role": Role.PM, "account__segment": Segment.TECHNOLOGY}),
        (Account, {"segment": Segment.TECHNOLOGY, "lifecycle": Lifecycle.CUSTOMER}),
        (Idea, {"status": Status.NEW, "visibility": "public", "source": "customer"}),
        (Signal, {"kind": SignalKind.FEATURE_REQUEST, "importance": Importance.DEAL_BREAKER}),
        (Signal, {"account_segment": Segment.TECHNOLOGY, "routed": "no"}),
        (Signal, {"heard_on__year": "2025", "deal_stage": DealStage.RENEWAL_AT_RISK}),
        (Comment, {"is_internal__exact": "1"}),
        (StatusChange, {"kind": ActivityKind.STATUS, "to_status": Status.PLANNED}),
        (Subscription, {"reason": SubscriptionReason.FOLLOWER, "active__exact": "1"}),
    ],
)
def test_filters_answer(admin_client: Client, model: type, params: dict) -> None:
    BUILDERS[model]()
    response = admin_client.get(admin_url(model, "changelist"), params)
    assert response.status_code == 200  # an unknown lookup would redirect with ?e=1


def test_search_finds_by_related_names(admin_client: Client) -> None:
    signal = make_signal()
    response = admin_client.get(admin_url(Signal, "changelist"), {"q": signal.account.name})
    assert signal.summary in response.content.decode()
    vote = make_vote()
    response = admin_client.get(admin_url(Vote, "changelist"), {"q": vote.user.email})
    assert response.context["cl"].result_count == 1


# --- Money ----------------------------------------------------------------------------------


def test_money_columns_show_the_portal_currency(admin_client: Client, settings) -> None:
    settings.LODE_CURRENCY = "EUR"
    make_account(arr=Decimal("120000.40"))
    make_signal()
    assert "EUR 120,000" in admin_client.get(admin_url(Account, "changelist")).content.decode()
    assert "EUR 250,000" in admin_client.get(admin_url(Signal, "changelist")).content.decode()


# --- The recount action ---------------------------------------------------------------------


def test_recount_action_fixes_counters_in_one_update(admin_client: Client) -> None:
    wrong, right, untouched = make_idea(), make_idea(), make_idea()
    for _ in range(2):
        Vote.objects.create(idea=wrong, user=make_user())
    Comment.objects.create(idea=wrong, author=make_user(), body="Public")
    Comment.objects.create(idea=wrong, author=make_user(), body="Note", is_internal=True)
    Idea.objects.filter(pk=wrong.pk).update(vote_count=99, comment_count=7)
    Idea.objects.filter(pk=untouched.pk).update(vote_count=5)

    with CaptureQueriesContext(connection) as ctx:
        response = admin_client.post(
            admin_url(Idea, "changelist"),
            {"action": "recount", "_selected_action": [wrong.pk, right.pk]},
            follow=True,
        )
    assert response.status_code == 200

    wrong.refresh_from_db()
    assert (wrong.vote_count, wrong.comment_count) == (2, 1)  # the internal note does not count
    right.refresh_from_db()
    assert (right.vote_count, right.comment_count) == (0, 0)
    untouched.refresh_from_db()
    assert untouched.vote_count == 5  # not selected, so left alone

    updates = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]
    assert len([sql for sql in updates if '"ideas_idea"' in sql]) == 1
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["Recounted votes and comments: corrected 1 idea."]


def test_recount_action_says_when_nothing_was_wrong(admin_client: Client) -> None:
    idea = make_idea()
    response = admin_client.post(
        admin_url(Idea, "changelist"),
        {"action": "recount", "_selected_action": [idea.pk]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["Recounted votes and comments: every counter was already right."]


def test_deleting_votes_in_the_admin_keeps_vote_count_exact(admin_client: Client) -> None:
    vote = make_vote()
    Idea.objects.filter(pk=vote.idea_id).update(vote_count=1)
    response = admin_client.post(
        admin_url(Vote, "changelist"),
        {"action": "delete_selected", "_selected_action": [vote.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert Idea.objects.get(pk=vote.idea_id).vote_count == 0


def test_making_a_comment_internal_drops_it_from_comment_count(admin_client: Client) -> None:
    comment = make_comment()
    Idea.objects.filter(pk=comment.idea_id).update(comment_count=1)
    response = admin_client.post(
        admin_url(Comment, "change", comment.pk),
        {"idea": comment.idea_id, "author": comment.author_id, "body": "x", "is_internal": "on"},
    )
    assert response.status_code == 302
    assert Idea.objects.get(pk=comment.idea_id).comment_count == 0


# --- Forms that write -----------------------------------------------------------------------


def test_adding_a_user_stores_a_lower_case_email(admin_client: Client) -> None:
    response = admin_client.post(
        admin_url(User, "add"),
        {
            "email": "New.Person@Example.COM",
            "name": "New Person",
            "role": Role.SALES,
            "usable_password": "true",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.com")
    assert user.role == Role.SALES
    assert user.check_password("a-long-enough-passphrase")


def test_adding_a_user_refuses_an_email_taken_in_another_case(admin_client: Client) -> None:
    existing = make_user()
    response = admin_client.post(
        admin_url(User, "add"),
        {"email": existing.email.upper(), "role": Role.CUSTOMER, "usable_password": "false"},
    )
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert User.objects.filter(email__iexact=existing.email).count() == 1


def test_adding_a_signal_snapshots_the_account(admin_client: Client) -> None:
    account = make_account(arr=Decimal("50000"), plan=Plan.BUSINESS)
    response = admin_client.post(
        admin_url(Signal, "add"),
        {
            "captured_by": account.owner_id,
            "account": account.pk,
            "verbatim": "Need an audit log.",
            "kind": SignalKind.FEATURE_REQUEST,
            "source": "call",
            "heard_on": "2025-05-01",
            "importance": Importance.IMPORTANT,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    signal = Signal.objects.get(verbatim="Need an audit log.")
    assert signal.account_arr == Decimal("50000")
    assert (signal.account_plan, signal.account_segment) == (Plan.BUSINESS, Segment.TECHNOLOGY)
    assert signal.account_lifecycle == Lifecycle.CUSTOMER


# --- Changelists cost a fixed number of queries ---------------------------------------------


def changelist_queries(client: Client, model: type[Model]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_idea_changelist_query_count_does_not_grow_with_rows(admin_client: Client) -> None:
    for _ in range(3):
        make_idea()
    changelist_queries(admin_client, Idea)  # warm the session and content-type caches
    with_3 = changelist_queries(admin_client, Idea)
    for _ in range(27):
        make_idea()
    assert Idea.objects.count() == 30
    assert changelist_queries(admin_client, Idea) == with_3


@pytest.mark.parametrize(
    "model",
    [User, Account, Category, Tag, Vote, Comment, Signal, StatusChange, Subscription],
    ids=model_id,
)
def test_changelist_query_count_does_not_grow_with_rows(admin_client: Client, model: type) -> None:
    BUILDERS[model]()
    changelist_queries(admin_client, model)  # warm the session and content-type caches
    with_1 = changelist_queries(admin_client, model)
    for _ in range(10):
        BUILDERS[model]()
    assert changelist_queries(admin_client, model) == with_1
