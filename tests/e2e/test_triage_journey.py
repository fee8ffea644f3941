"""A product manager works the queue: routes a signal, merges a duplicate, declines an
idea with an explanation, and reorders the board by ARR."""

import re
from decimal import Decimal

import pytest

from ideas.models import Idea, Signal, Vote
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_pm_routes_merges_declines_and_reorders_the_board(page, screenshot):
    pm = factories.PMFactory(name="Priya PM")
    big = factories.AccountFactory(name="Initech", arr=Decimal("900000"))
    small = factories.AccountFactory(name="Hooli", arr=Decimal("20000"))
    # Oldest first: the signal heads the queue.
    signal = factories.SignalFactory(
        idea=None, account=big, summary="Initech needs Okta SSO",
        verbatim="Without single sign-on through Okta we cannot roll out to 2,000 people.",
    )  # fmt: skip
    sso = factories.IdeaFactory(title="Single sign-on with Okta", status="under_review")
    saml = factories.IdeaFactory(title="SAML single sign-on please")
    doomed = factories.IdeaFactory(title="Blockchain audit trail for tasks")
    cheap = factories.IdeaFactory(title="Dark mode for the dashboard", status="planned")
    both = factories.CustomerFactory(account=small)
    factories.VoteFactory(idea=sso, user=both)
    factories.VoteFactory(idea=saml, user=both)
    factories.VoteFactory(idea=saml, user=factories.CustomerFactory(account=small))
    factories.VoteFactory(idea=sso, user=factories.CustomerFactory(account=small))
    factories.VoteFactory(idea=cheap, user=factories.CustomerFactory(account=small))
    distinct_voters = set(Vote.objects.filter(idea__in=[sso, saml]).values_list("user", flat=True))

    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(pm.email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")

    # The queue: oldest first, with the unrouted signal and the new ideas.
    page.goto("/triage/")
    assert page.locator(".queue-row").count() == 3  # signal, saml, doomed (sso is not new)
    screenshot(page, "triage-queue")
    page.keyboard.press("j")
    page.keyboard.press("o")
    page.wait_for_url(re.compile(r"/triage/signals/\d+/"))
    page.locator("#similar").get_by_text("Single sign-on with Okta").wait_for()
    row = page.locator("#similar > div", has_text="Single sign-on with Okta")
    row.get_by_role("button", name="Route here").click()
    page.wait_for_url("**/triage/")
    assert Signal.objects.get(pk=signal.pk).idea_id == sso.pk

    # Merge the SAML duplicate into the Okta idea from its review panel.
    page.goto(f"/triage/ideas/{saml.pk}/")
    duplicate = page.locator("#similar > div", has_text="Single sign-on with Okta")
    duplicate.get_by_role("button", name="Merge this into it").click()
    page.wait_for_url(f"**/triage/ideas/{sso.pk}/")
    assert "Merged into" in page.content()
    sso.refresh_from_db()
    assert sso.vote_count == len(distinct_voters) == 3
    screenshot(page, "triage-review-after-merge")

    # Decline an idea with an explanation; its public page shows it.
    page.goto(f"/triage/ideas/{doomed.pk}/")
    page.get_by_label("Status").select_option("declined")
    page.get_by_label("Public explanation").fill("Nobody could tell us which problem it solves.")
    page.get_by_role("button", name="Save decision").click()
    page.get_by_text("is now declined").wait_for()
    assert Idea.objects.get(pk=doomed.pk).status == "declined"
    page.goto(doomed.get_absolute_url())
    assert "Nobody could tell us which problem it solves." in page.content()
    assert page.locator(".status-badge", has_text="Declined").count() >= 1

    # The board, reordered by ARR: the Okta idea (Initech's 900k) comes first.
    page.goto("/board/")
    page.get_by_role("link", name=re.compile("^ARR")).click()
    page.wait_for_url(re.compile(r"sort=arr"))
    titles = page.locator(".board-table tbody .idea-title").all_inner_texts()
    if titles[0] != "Single sign-on with Okta":  # first click may sort ascending
        page.get_by_role("link", name=re.compile("^ARR")).click()
        page.wait_for_url(re.compile(r"dir=desc"))
        titles = page.locator(".board-table tbody .idea-title").all_inner_texts()
    assert titles[0] == "Single sign-on with Okta"
    assert "Dark mode for the dashboard" in titles
    screenshot(page, "board-by-arr")
    assert page.js_errors == []
