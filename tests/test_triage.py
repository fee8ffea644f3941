"""The review queue, the review panel and routing, through the pages."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from ideas.choices import Status
from ideas.models import Idea, Signal, StatusChange
from tests import factories

pytestmark = pytest.mark.django_db

QUEUE = reverse("ideas:triage")
HTMX = {"HTTP_HX_REQUEST": "true"}


def panel(idea):
    return reverse("ideas:triage_idea", args=[idea.pk])


# Access


def test_only_pms_and_admins_reach_triage(
    client, client_for, customer, sales, staff, pm, admin_user
):
    idea = factories.IdeaFactory()
    signal = factories.SignalFactory(idea=None)
    urls = [QUEUE, panel(idea), reverse("ideas:triage_signal", args=[signal.pk])]
    for user in (None, customer, sales, staff):
        http = client_for(user) if user else client
        for url in urls:
            assert http.get(url).status_code == 404, (user, url)
        assert (
            http.post(
                reverse("ideas:triage_status", args=[idea.pk]), {"status": "planned"}
            ).status_code
            == 404
        )
    for user in (pm, admin_user):
        for url in urls:
            assert client_for(user).get(url).status_code == 200
    idea.refresh_from_db()
    assert idea.status == Status.NEW


def test_triage_actions_need_post(client_for, pm):
    idea = factories.IdeaFactory()
    assert client_for(pm).get(reverse("ideas:triage_status", args=[idea.pk])).status_code == 405


# Queue


def test_queue_lists_new_ideas_and_unrouted_signals_oldest_first(client_for, pm):
    old_signal = factories.SignalFactory(idea=None, summary="Old unrouted signal")
    new_idea = factories.IdeaFactory(title="Fresh new idea here")
    factories.IdeaFactory(title="Already planned idea", status=Status.PLANNED)
    factories.SignalFactory(summary="Routed signal")  # has an idea
    Signal.objects.filter(pk=old_signal.pk).update(
        created_at=timezone.now() - dt.timedelta(days=40)
    )
    text = client_for(pm).get(QUEUE).text
    assert text.index("Old unrouted signal") < text.index("Fresh new idea here")
    assert "Already planned idea" not in text and "Routed signal" not in text
    newest = client_for(pm).get(QUEUE, {"order": "newest"}).text
    assert newest.index("Fresh new idea here") < newest.index("Old unrouted signal")
    assert new_idea


def test_queue_filters_by_source_category_segment_and_age(client_for, pm, sales, staff):
    reporting = factories.CategoryFactory(name="Reporting", slug="reporting")
    fin = factories.AccountFactory(segment="financial")
    factories.IdeaFactory(title="Customer idea in reporting", category=reporting, account=fin)
    factories.IdeaFactory(title="Staff idea elsewhere", source="staff")
    factories.SignalFactory(idea=None, captured_by=sales, summary="Sales signal", account=fin)
    factories.SignalFactory(idea=None, captured_by=staff, summary="Staff signal")
    old = factories.IdeaFactory(title="An old customer idea")
    Idea.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=60))
    client = client_for(pm)

    def shown(**filters):
        text = client.get(QUEUE, filters).text
        names = ["Customer idea in reporting", "Staff idea elsewhere", "Sales signal",
                 "Staff signal", "An old customer idea"]  # fmt: skip
        return {name for name in names if name in text}

    assert shown(source="customer") == {"Customer idea in reporting", "An old customer idea"}
    assert shown(source="sales") == {"Sales signal"}
    assert shown(source="staff") == {"Staff idea elsewhere", "Staff signal"}
    assert shown(category="reporting") == {"Customer idea in reporting"}
    assert shown(segment="financial") == {"Customer idea in reporting", "Sales signal"}
    assert shown(age="older") == {"An old customer idea"}
    assert "An old customer idea" not in shown(age="week")
    text = client.get(QUEUE).text
    assert 'Customers <span class="text-body-secondary">(2)</span>' in text
    assert 'Sales <span class="text-body-secondary">(1)</span>' in text


def test_setting_a_status_in_place_from_the_queue(client_for, pm):
    idea = factories.IdeaFactory(title="Triage me in place")
    response = client_for(pm).post(
        reverse("ideas:triage_status", args=[idea.pk]),
        {"status": "under_review", "from": "queue", "back": "queue"},
        **HTMX,
    )
    assert response.status_code == 200
    assert "is now under review" in response.text
    idea.refresh_from_db()
    assert idea.status == Status.UNDER_REVIEW


def test_declining_in_place_without_explanation_shows_the_reason(client_for, pm):
    idea = factories.IdeaFactory()
    response = client_for(pm).post(
        reverse("ideas:triage_status", args=[idea.pk]),
        {"status": "declined", "from": "queue"},
        **HTMX,
    )
    assert "Explain why the idea is declined" in response.text
    idea.refresh_from_db()
    assert idea.status == Status.NEW


@pytest.mark.parametrize("rows", [4, 40])
def test_queue_runs_a_fixed_number_of_queries(
    client_for, pm, django_assert_max_num_queries, rows, settings
):
    for _ in range(rows // 2):
        factories.IdeaFactory()
        factories.SignalFactory(idea=None)
    client = client_for(pm)
    settings.LODE_ANON_CACHE_SECONDS = 0  # the page's own queries; the cached counts below
    # session, user, page rows, ideas, signals, categories, filter counts (ideas, signals).
    with django_assert_max_num_queries(8):
        assert client.get(QUEUE).status_code == 200


@pytest.mark.parametrize("rows", [4, 40])
def test_a_warm_queue_reads_its_counts_from_the_cache(
    client_for, pm, django_assert_max_num_queries, rows
):
    for _ in range(rows // 2):
        factories.IdeaFactory()
        factories.SignalFactory(idea=None)
    client = client_for(pm)
    client.get(QUEUE)
    # session, user, page rows, ideas, signals, categories, counts' generation, counts.
    with django_assert_max_num_queries(8) as captured:
        assert client.get(QUEUE).status_code == 200
    assert not any("FILTER (WHERE" in query["sql"] for query in captured.captured_queries)


def test_queue_counts_follow_triage_once_it_commits(
    client_for, pm, sales, django_capture_on_commit_callbacks
):
    ideas = factories.IdeaFactory.create_batch(2)
    signal = factories.SignalFactory(idea=None, captured_by=sales)
    client = client_for(pm)

    def badge() -> str:
        return re.search(r"Review queue <span[^>]*>(\d+)<", client.get(QUEUE).text).group(1)

    assert badge() == "3"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ideas:triage_status", args=[ideas[0].pk]), {"status": "planned"})
    assert badge() == "2"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ideas:triage_route", args=[signal.pk]), {"idea": ideas[1].pk})
    assert badge() == "1"
    text = client.get(QUEUE).text
    assert 'Sales <span class="text-body-secondary">(0)</span>' in text
    assert 'Customers <span class="text-body-secondary">(1)</span>' in text


def test_a_new_signal_reaches_the_cached_counts(
    client_for, pm, django_capture_on_commit_callbacks
):
    client = client_for(pm)
    assert 'Any <span class="text-body-secondary">(0)</span>' in client.get(QUEUE).text
    with django_capture_on_commit_callbacks(execute=True):
        factories.SignalFactory(idea=None)
    assert 'Any <span class="text-body-secondary">(1)</span>' in client.get(QUEUE).text


def test_queue_pages_without_counting_and_an_old_link_shows_the_last_page(client_for, pm):
    start = timezone.now() - dt.timedelta(days=3)
    for n in range(35):
        idea = factories.IdeaFactory(title=f"Queued idea number {n:02d}")
        Idea.objects.filter(pk=idea.pk).update(created_at=start + dt.timedelta(minutes=n))
    client = client_for(pm)
    first = client.get(QUEUE).text
    assert "Queued idea number 00" in first and "Queued idea number 29" in first
    assert "Queued idea number 30" not in first
    assert "?page=2" in first and "Page 1<" in first
    second = client.get(QUEUE, {"page": 2}).text
    assert "Queued idea number 30" in second and "Queued idea number 34" in second
    assert "Queued idea number 29" not in second
    assert "?page=3" not in second and "?page=1" in second
    past_the_end = client.get(QUEUE, {"page": 99}).text
    shown = set(re.findall(r"Queued idea number (\d+)", past_the_end))
    assert shown == {"30", "31", "32", "33", "34"}
    assert client.get(QUEUE, {"page": "9" * 30}).status_code == 200
    assert client.get(QUEUE, {"page": "nope"}).context["page"].number == 1
    newest = client.get(QUEUE, {"order": "newest", "page": 2}).text
    assert "Queued idea number 04" in newest and "Queued idea number 05" not in newest


def test_a_filtered_queue_shows_its_own_length(client_for, pm, sales):
    fin = factories.AccountFactory(segment="financial")
    factories.IdeaFactory.create_batch(2)
    factories.IdeaFactory(account=fin, source="sales")
    factories.SignalFactory.create_batch(3, idea=None, captured_by=sales)
    factories.SignalFactory(idea=None, captured_by=sales, account=fin)
    client = client_for(pm)

    def length(**filters) -> int:
        text = client.get(QUEUE, filters).text
        return int(re.search(r"Review queue <span[^>]*>(\d+)<", text).group(1))

    assert length() == 7
    assert length(source="sales") == 5  # one filter: the filter bar's count
    assert length(segment="financial") == 2
    assert length(source="sales", segment="financial") == 2  # two: counted
    assert length(source="customer", segment="financial") == 0
    assert length(source="bogus") == 7  # an unknown value filters nothing
    assert length(category="no-such-category") == 0


# Review panel


def test_panel_shows_evidence_score_breakdown_and_timeline(client_for, pm):
    idea = factories.IdeaFactory(title="Okta single sign-on", strategic_fit=3)
    factories.SignalFactory(idea=idea, verbatim="We need Okta now")
    factories.StatusChangeFactory(idea=idea, explanation="Looking into it", is_public=False)
    text = client_for(pm).get(panel(idea)).text
    assert "Priority score" in text and "Why this score" in text and "Strategic fit" in text
    assert "We need Okta now" in text and "Looking into it" in text and "Private" in text


def test_decline_from_the_panel_is_shown_publicly(client, client_for, pm):
    idea = factories.IdeaFactory(title="Blockchain export")
    response = client_for(pm).post(
        reverse("ideas:triage_status", args=[idea.pk]),
        {"status": "declined", "explanation": "Nobody could tell us what it would solve."},
    )
    assert response.status_code == 302 and response["Location"] == panel(idea)
    change = StatusChange.objects.get(idea=idea)
    assert change.evidence is not None  # the decision record
    client.logout()
    text = client.get(idea.get_absolute_url()).text
    assert "Declined" in text and "Nobody could tell us what it would solve." in text


def test_panel_decline_without_explanation_keeps_the_form(client_for, pm):
    idea = factories.IdeaFactory()
    response = client_for(pm).post(
        reverse("ideas:triage_status", args=[idea.pk]), {"status": "declined"}
    )
    assert response.status_code == 400
    assert "Explain why the idea is declined" in response.text


def test_edit_owner_visibility_inputs_and_notes(client_for, pm):
    idea = factories.IdeaFactory(title="Old title for this idea")
    tag = factories.TagFactory(name="sso", slug="sso")
    client = client_for(pm)
    client.post(
        reverse("ideas:triage_edit", args=[idea.pk]),
        {"title": "New title for this idea", "body": "Better body", "tags": [tag.pk]},
    )
    client.post(reverse("ideas:triage_owner", args=[idea.pk]), {"owner": pm.pk})
    client.post(reverse("ideas:triage_visibility", args=[idea.pk]), {"visibility": "internal"})
    client.post(
        reverse("ideas:triage_inputs", args=[idea.pk]), {"effort": "3.5", "strategic_fit": "4"}
    )
    client.post(
        reverse("ideas:triage_note", args=[idea.pk]), {"body": "Ping eng", "is_internal": "on"}
    )
    idea.refresh_from_db()
    assert idea.title == "New title for this idea" and list(idea.tags.all()) == [tag]
    assert idea.owner == pm and idea.visibility == "internal"
    assert str(idea.effort) == "3.5" and idea.strategic_fit == 4
    assert idea.comments.get().is_internal
    kinds = list(StatusChange.objects.filter(idea=idea).values_list("kind", flat=True))
    assert sorted(kinds) == ["edit", "edit", "owner", "visibility"]
    assert all(change.actor == pm for change in StatusChange.objects.filter(idea=idea))


@pytest.mark.parametrize(
    ("url_name", "data", "message"),
    [
        ("triage_inputs", {"effort": "-2"}, "greater than or equal to 0"),
        ("triage_inputs", {"strategic_fit": "9"}, "less than or equal to 5"),
        ("triage_edit", {"title": "short"}, "at least 8 characters"),
        ("triage_status", {"status": "maybe"}, "Select a valid choice"),
        ("triage_visibility", {"visibility": "secret"}, "Select a valid choice"),
        ("triage_merge", {"target": "999999"}, "no longer exists"),
    ],
)
def test_invalid_panel_input_is_a_clear_400(client_for, pm, url_name, data, message):
    idea = factories.IdeaFactory()
    response = client_for(pm).post(reverse(f"ideas:{url_name}", args=[idea.pk]), data)
    assert response.status_code == 400
    assert message in response.text


def test_merge_from_the_panel(client, client_for, pm):
    source = factories.IdeaFactory(title="SAML login please")
    target = factories.IdeaFactory(title="Single sign-on with Okta")
    voter = factories.CustomerFactory()
    factories.VoteFactory(idea=source, user=voter)
    factories.VoteFactory(idea=target, user=voter)
    factories.VoteFactory(idea=source)
    response = client_for(pm).post(
        reverse("ideas:triage_merge", args=[source.pk]), {"target": target.pk}
    )
    assert response["Location"] == panel(target)
    target.refresh_from_db()
    assert target.vote_count == 2
    client.logout()
    assert client.get(source.get_absolute_url())["Location"] == target.get_absolute_url()


def test_merge_into_itself_is_refused_on_the_page(client_for, pm):
    idea = factories.IdeaFactory()
    response = client_for(pm).post(
        reverse("ideas:triage_merge", args=[idea.pk]), {"target": idea.pk}
    )
    assert response.status_code == 400
    assert "cannot be merged into itself" in response.text


@pytest.mark.parametrize("rows", [3, 30])
def test_panel_runs_a_fixed_number_of_queries(client_for, pm, django_assert_max_num_queries, rows):
    idea = factories.IdeaFactory()
    for _ in range(rows):
        factories.SignalFactory(idea=idea)
        factories.CommentFactory(idea=idea)
        factories.StatusChangeFactory(idea=idea)
    client = client_for(pm)
    with django_assert_max_num_queries(20):
        assert client.get(panel(idea)).status_code == 200


# Signals


def test_route_a_signal_to_a_suggested_idea(client_for, pm, sales):
    idea = factories.IdeaFactory(title="Okta single sign-on")
    signal = factories.SignalFactory(
        idea=None, captured_by=sales, verbatim="They need Okta sign-on"
    )
    client = client_for(pm)
    text = client.get(reverse("ideas:triage_signal", args=[signal.pk])).text
    assert "Okta single sign-on" in text and "Route here" in text
    response = client.post(reverse("ideas:triage_route", args=[signal.pk]), {"idea": idea.pk})
    assert response["Location"] == QUEUE
    assert Signal.objects.get(pk=signal.pk).idea == idea


def test_create_an_idea_from_a_signal(client_for, pm):
    signal = factories.SignalFactory(idea=None, proposed_title="SCIM provisioning for Okta")
    client = client_for(pm)
    assert (
        'value="SCIM provisioning for Okta"'
        in client.get(reverse("ideas:triage_signal", args=[signal.pk])).text
    )
    response = client.post(
        reverse("ideas:triage_signal_idea", args=[signal.pk]),
        {"title": "SCIM provisioning for Okta"},
    )
    idea = Idea.objects.get(title="SCIM provisioning for Okta")
    assert response["Location"] == panel(idea)
    assert idea.visibility == "internal" and Signal.objects.get(pk=signal.pk).idea == idea


def test_route_to_a_missing_idea_is_a_clear_error(client_for, pm):
    signal = factories.SignalFactory(idea=None)
    response = client_for(pm).post(
        reverse("ideas:triage_route", args=[signal.pk]), {"idea": "999999"}, follow=True
    )
    assert "no longer exists" in response.text
    assert Signal.objects.get(pk=signal.pk).idea is None
