"""Sales capture, My signals, evidence on the idea, and account pages."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from ideas import services
from ideas.choices import Importance, Lifecycle, SignalKind, Status
from ideas.models import Account, Signal, Subscription
from portal.models import User
from tests import factories

pytestmark = pytest.mark.django_db

CAPTURE = reverse("ideas:capture")
HTMX = {"HTTP_HX_REQUEST": "true"}


def capture_data(**overrides) -> dict:
    data = {
        "verbatim": "If you can't do SSO with Okta by Q3 we can't renew.",
        "summary": "Okta SSO or no renewal",
        "kind": SignalKind.FEATURE_REQUEST,
        "source": "meal",
        "heard_on": timezone.localdate().isoformat(),
        "importance": Importance.DEAL_BREAKER,
        "opportunity_value": "48000",
        "deal_stage": "renewal_at_risk",
        "contact_name": "Dana Lee",
        "contact_role": "CIO",
    }
    data.update(overrides)
    return data


# Who may capture


@pytest.mark.parametrize("persona", ["sales", "staff", "pm", "admin_user"])
def test_company_people_can_open_the_capture_page(client_for, request, persona):
    response = client_for(request.getfixturevalue(persona)).get(CAPTURE)
    assert response.status_code == 200
    assert "Capture what you heard" in response.text


def test_customers_and_visitors_get_404_on_capture(client, client_for, customer):
    assert client.get(CAPTURE).status_code == 404
    assert client.get(reverse("ideas:my_signals")).status_code == 404
    assert client.get(reverse("ideas:capture_accounts"), {"account_query": "a"}).status_code == 404
    assert client_for(customer).get(CAPTURE).status_code == 404
    assert client_for(customer).post(CAPTURE, capture_data()).status_code == 404
    assert not Signal.objects.exists()


# Capturing


def test_rep_captures_a_deal_breaker_for_an_existing_account(client_for, sales):
    account = factories.AccountFactory(name="Initech", arr=Decimal("250000"), plan="enterprise")
    idea = factories.IdeaFactory(title="Okta single sign-on")
    response = client_for(sales).post(CAPTURE, capture_data(account=account.pk, idea=idea.pk))
    signal = Signal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ideas:capture_saved", args=[signal.pk])
    assert signal.captured_by == sales and signal.account == account and signal.idea == idea
    assert signal.importance == Importance.DEAL_BREAKER
    assert signal.opportunity_value == Decimal("48000")
    assert signal.routed_by == sales and signal.routed_at is not None
    # The account as it was, kept even after it changes.
    assert (signal.account_arr, signal.account_plan) == (Decimal("250000"), "enterprise")
    Account.objects.filter(pk=account.pk).update(arr=Decimal("1"), plan="starter")
    signal.refresh_from_db()
    assert (signal.account_arr, signal.account_plan) == (Decimal("250000"), "enterprise")
    # Capturing makes the rep follow the idea.
    assert Subscription.objects.get(user=sales, idea=idea).reason == "signal"


def test_confirmation_focuses_capture_another(client_for, sales):
    account = factories.AccountFactory(name="Initech")
    client = client_for(sales)
    response = client.post(CAPTURE, capture_data(account=account.pk), follow=True)
    assert "Saved. Thanks!" in response.text
    assert 'href="/capture/" autofocus' in response.text
    assert "A product manager will route it" in response.text


def test_a_new_prospect_is_created_inline(client_for, sales):
    client_for(sales).post(
        CAPTURE,
        capture_data(
            new_account_name="Hooli", new_account_segment="technology", new_account_region="na"
        ),
    )
    account = Account.objects.get(name="Hooli")
    assert account.lifecycle == Lifecycle.PROSPECT and account.owner == sales
    assert (account.segment, account.region) == ("technology", "na")
    assert Signal.objects.get().account == account


def test_typed_account_name_is_enough_without_javascript(client_for, sales):
    account = factories.AccountFactory(name="Globex Corporation", domain="globex.example")
    client_for(sales).post(CAPTURE, capture_data(account_query="globex.example"))
    assert Signal.objects.get().account == account


def test_signal_for_a_merged_idea_follows_the_merge(client_for, sales):
    target = factories.IdeaFactory(title="SAML single sign-on")
    merged = factories.IdeaFactory(merged_into=target)
    account = factories.AccountFactory()
    signal = services.signal_capture(
        captured_by=sales,
        account=account,
        verbatim="We need SAML.",
        heard_on=timezone.localdate(),
        idea=merged,
    )
    assert signal.idea == target


def test_proposed_title_is_kept_for_the_pm(client_for, sales):
    account = factories.AccountFactory()
    client_for(sales).post(
        CAPTURE, capture_data(account=account.pk, proposed_title="Okta SCIM provisioning")
    )
    signal = Signal.objects.get()
    assert signal.idea is None and signal.proposed_title == "Okta SCIM provisioning"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"verbatim": ""}, "Write down what the customer said"),
        ({"account": ""}, "Who said it?"),
        (
            {"account": "", "account_query": "Nobody Inc"},
            "No single account is called “Nobody Inc”",
        ),
        ({"opportunity_value": "-5"}, "cannot be negative"),
        ({"opportunity_value": "lots"}, "Enter an amount"),
        ({"opportunity_value": "1" * 20}, "more than Lode can store"),
        ({"heard_on": "2999-01-01"}, "be in the future"),
        ({"heard_on": "yesterday"}, "Enter a valid date"),
        ({"kind": "competitor", "competitor": ""}, "Which competitor"),
        ({"kind": "gossip"}, "Select a valid choice"),
        ({"importance": "urgent"}, "Select a valid choice"),
        ({"deal_stage": "closing"}, "Select a valid choice"),
        ({"summary": "tab\x0bbed"}, "control characters"),
        ({"proposed_title": "Both at once please"}, "not both"),
    ],
)
def test_invalid_capture_is_refused_with_a_clear_message_and_keeps_the_text(
    client_for, sales, overrides, message
):
    account = factories.AccountFactory()
    idea = factories.IdeaFactory()
    data = capture_data(account=account.pk, idea=idea.pk if "proposed_title" in overrides else "")
    data.update(overrides)
    response = client_for(sales).post(CAPTURE, data)
    assert response.status_code == 400
    assert message in response.text
    if data["verbatim"]:
        assert "we can&#x27;t renew" in response.text
    assert not Signal.objects.exists()


def test_competitor_name_is_kept_only_for_competitor_mentions(client_for, sales):
    account = factories.AccountFactory()
    client = client_for(sales)
    client.post(CAPTURE, capture_data(account=account.pk, kind="competitor", competitor="Canny"))
    client.post(CAPTURE, capture_data(account=account.pk, kind="praise", competitor="Canny"))
    assert list(Signal.objects.order_by("id").values_list("competitor", flat=True)) == [
        "Canny",
        "",
    ]


def test_customer_cannot_be_linked_to_an_idea_the_rep_cannot_see(client_for, sales):
    # Reps see internal ideas; merged ones are not offered.
    account = factories.AccountFactory()
    merged = factories.IdeaFactory(merged_into=factories.IdeaFactory())
    response = client_for(sales).post(CAPTURE, capture_data(account=account.pk, idea=merged.pk))
    assert response.status_code == 400


# Type-ahead and suggestions


def test_account_typeahead_matches_name_or_domain(client_for, sales):
    factories.AccountFactory(name="Acme Corp", domain="acme.example")
    factories.AccountFactory(name="Umbrella", domain="umbrella.example")
    client = client_for(sales)
    text = client.get(reverse("ideas:capture_accounts"), {"account_query": "acm"}, **HTMX).text
    assert "Acme Corp" in text and "Umbrella" not in text
    text = client.get(reverse("ideas:capture_accounts"), {"account_query": "umbrella.ex"}).text
    assert "Umbrella" in text
    text = client.get(reverse("ideas:capture_accounts"), {"account_query": "zzz"}).text
    assert "No account matches" in text


def test_picking_an_account_swaps_in_a_hidden_field(client_for, sales):
    account = factories.AccountFactory(name="Acme Corp")
    text = client_for(sales).get(reverse("ideas:capture_account_pick", args=[account.pk])).text
    assert f'name="account" value="{account.pk}"' in text and "Acme Corp" in text


def test_suggestions_include_internal_ideas_for_reps(client_for, sales):
    factories.InternalIdeaFactory(title="Okta single sign-on for enterprise")
    factories.IdeaFactory(title="Dark mode")
    text = (
        client_for(sales)
        .get(reverse("ideas:capture_suggestions"), {"verbatim": "They need Okta sign-on"})
        .text
    )
    assert "Okta single sign-on for enterprise" in text and "Internal" in text
    assert "Dark mode" not in text


@pytest.mark.parametrize("rows", [5, 50])
def test_capture_page_runs_a_fixed_number_of_queries(
    client_for, sales, django_assert_max_num_queries, rows
):
    factories.SignalFactory.create_batch(rows, captured_by=sales)
    client = client_for(sales)
    with django_assert_max_num_queries(3):  # session, user, (nothing else)
        assert client.get(CAPTURE).status_code == 200


# My signals


def test_my_signals_shows_the_idea_status_and_latest_explanation(client_for, sales, pm):
    idea = factories.IdeaFactory(title="Okta SSO", status=Status.PLANNED)
    factories.StatusChangeFactory(idea=idea, explanation="Old reasoning")
    factories.StatusChangeFactory(idea=idea, explanation="Planned for Q3, beta in July")
    factories.StatusChangeFactory(idea=idea, explanation="Private", is_public=False)
    factories.SignalFactory(captured_by=sales, idea=idea, summary="Initech needs SSO")
    factories.SignalFactory(captured_by=sales, idea=None, summary="Unrouted thing")
    factories.SignalFactory(summary="Someone else's signal")
    text = client_for(sales).get(reverse("ideas:my_signals")).text
    assert "Initech needs SSO" in text and "Planned" in text
    assert "Planned for Q3, beta in July" in text
    assert "Old reasoning" not in text and "Private" not in text
    assert "Waiting for a PM to route it" in text
    assert "Someone else&#x27;s signal" not in text and "Someone else's signal" not in text


@pytest.mark.parametrize("rows", [5, 50])
def test_my_signals_runs_a_fixed_number_of_queries(
    client_for, sales, django_assert_max_num_queries, rows
):
    for _ in range(rows):
        factories.SignalFactory(captured_by=sales)
    client = client_for(sales)
    with django_assert_max_num_queries(4):  # session, user, count, page
        assert client.get(reverse("ideas:my_signals")).status_code == 200


def test_deleting_a_rep_keeps_the_evidence_they_captured(sales):
    signal = factories.SignalFactory(captured_by=sales)
    User.objects.filter(pk=sales.pk).delete()
    signal.refresh_from_db()
    assert signal.captured_by is None


# Evidence on the idea page


def evidence_fixture():
    idea = factories.IdeaFactory(title="Okta single sign-on")
    big = factories.AccountFactory(name="Initech", arr=Decimal("1000000"))
    small = factories.AccountFactory(name="Hooli", arr=Decimal("200000"))
    voter_account = factories.AccountFactory(name="Globex", arr=Decimal("50000"))
    # Initech: three signals, one open deal logged twice; ARR must count once.
    factories.SignalFactory(
        idea=idea, account=big, importance="deal_breaker", deal_stage="open",
        opportunity_value=Decimal("100000"), verbatim="Initech canary words",
    )  # fmt: skip
    factories.SignalFactory(
        idea=idea, account=big, importance="important", deal_stage="open",
        opportunity_value=Decimal("80000"),
    )  # fmt: skip
    factories.SignalFactory(
        idea=idea, account=big, importance="deal_breaker", deal_stage="won",
        opportunity_value=Decimal("999999"),
    )  # fmt: skip
    factories.SignalFactory(
        idea=idea, account=small, importance="nice_to_have", deal_stage="prospect",
        opportunity_value=Decimal("40000"),
    )  # fmt: skip
    factories.SignalFactory(
        idea=idea, account=small, deal_stage="renewal_at_risk", opportunity_value=Decimal("7")
    )
    factories.VoteFactory(idea=idea, user=factories.CustomerFactory(account=voter_account))
    factories.VoteFactory(idea=idea, user=factories.CustomerFactory(account=big))
    return idea


def test_evidence_summary_counts_accounts_and_arr_once(client_for, pm):
    idea = evidence_fixture()
    text = client_for(pm).get(idea.get_absolute_url()).text
    # 3 accounts (two with signals, one only voting); ARR 1.0M + 200k + 50k once each;
    # 2 deal-breakers; open deals: Initech (largest open value 100k) and Hooli (prospect 40k).
    assert "3 accounts · $1.2M ARR · 2 deal-breakers · 2 open deals worth $140k" in text
    assert "Initech canary words" in text
    assert "Voters from:" in text and "Globex" in text


@pytest.mark.parametrize("persona", ["sales", "staff", "pm", "admin_user"])
def test_company_people_see_the_evidence(client_for, request, persona):
    idea = evidence_fixture()
    text = client_for(request.getfixturevalue(persona)).get(idea.get_absolute_url()).text
    assert "Evidence from the field" in text


def test_customers_and_visitors_see_no_evidence(client, client_for, customer):
    idea = evidence_fixture()
    for response in (client.get(idea.get_absolute_url()),
                     client_for(customer).get(idea.get_absolute_url())):  # fmt: skip
        text = response.text
        for canary in ("Evidence from the field", "Initech", "Hooli", "canary words",
                       "1,000,000", "$1.2M", "100,000", "deal-breaker", "Dana"):  # fmt: skip
            assert canary not in text


@pytest.mark.parametrize("rows", [3, 30])
def test_idea_page_with_evidence_runs_a_fixed_number_of_queries(
    client_for, pm, django_assert_max_num_queries, rows
):
    idea = factories.IdeaFactory()
    for _ in range(rows):
        factories.SignalFactory(idea=idea)
        factories.VoteFactory(idea=idea)
    client = client_for(pm)
    # The public page's 7, plus evidence figures, signals, voting accounts.
    with django_assert_max_num_queries(10):
        assert client.get(idea.get_absolute_url()).status_code == 200


# Accounts


def test_account_pages_are_for_company_people_only(client, client_for, customer, sales):
    account = factories.AccountFactory(name="Initech")
    url = reverse("ideas:account_detail", args=[account.pk])
    assert client.get(url).status_code == 404
    assert client_for(customer).get(url).status_code == 404
    assert client_for(customer).get(reverse("ideas:accounts")).status_code == 404
    assert client_for(sales).get(url).status_code == 200


def test_account_page_shows_signals_votes_and_ideas(client_for, staff):
    account = factories.AccountFactory(name="Initech", arr=Decimal("250000"))
    idea = factories.IdeaFactory(title="Okta single sign-on")
    factories.SignalFactory(account=account, idea=idea, verbatim="We need Okta")
    factories.VoteFactory(
        idea=factories.IdeaFactory(title="Dark mode"),
        user=factories.CustomerFactory(account=account, name="Vera Voter"),
    )
    text = client_for(staff).get(reverse("ideas:account_detail", args=[account.pk])).text
    assert "$250,000" in text and "We need Okta" in text
    assert "Vera Voter" in text and "Dark mode" in text
    assert "1 signal · 0 votes" in text and "0 signals · 1 vote" in text


def test_account_list_searches_and_counts(client_for, staff):
    initech = factories.AccountFactory(name="Initech", domain="initech.example")
    factories.AccountFactory(name="Hooli")
    factories.SignalFactory.create_batch(2, account=initech)
    client = client_for(staff)
    text = client.get(reverse("ideas:accounts"), {"q": "initech.ex"}).text
    assert "Initech" in text and "Hooli" not in text


@pytest.mark.parametrize("rows", [5, 40])
def test_account_list_runs_a_fixed_number_of_queries(
    client_for, staff, django_assert_max_num_queries, rows
):
    factories.AccountFactory.create_batch(rows)
    client = client_for(staff)
    with django_assert_max_num_queries(4):
        assert client.get(reverse("ideas:accounts")).status_code == 200


def test_heard_on_defaults_to_today_and_cannot_be_picked_in_the_future(client_for, sales):
    text = " ".join(client_for(sales).get(CAPTURE).text.split())
    today = f"{timezone.localdate():%Y-%m-%d}"
    assert f'name="heard_on" id="id_heard_on" value="{today}" max="{today}"' in text
