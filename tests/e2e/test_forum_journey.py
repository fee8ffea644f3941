"""A new customer's journey through the public forum, in a real browser."""

import re

import pytest
from django.core import mail

from ideas.models import Comment, Idea, Vote
from portal.models import User
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_new_customer_signs_up_posts_votes_and_comments(page, live_server, screenshot):
    acme = factories.AccountFactory(name="Acme Corp", domain="acme.example")
    reporting = factories.CategoryFactory(name="Reporting", slug="reporting")
    excel = factories.IdeaFactory(
        title="Export reports to Excel", category=reporting, vote_count=5
    )
    dark = factories.IdeaFactory(title="Dark mode for the dashboard")

    # Sign up, then verify the address from the email.
    page.goto("/accounts/signup/")
    page.get_by_label("Your name").fill("Nina Novak")
    page.get_by_label("Email address").fill("nina@acme.example")
    page.locator("#id_password1").fill("a-long-and-unusual-passphrase")
    page.locator("#id_password2").fill("a-long-and-unusual-passphrase")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_load_state()
    assert "verify" in page.content().lower()
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    nina = User.objects.get(email="nina@acme.example")
    assert nina.account == acme

    # Log in if the confirmation did not.
    if page.get_by_label("Email address").count():
        page.get_by_label("Email address").fill("nina@acme.example")
        page.locator("#id_password").fill("a-long-and-unusual-passphrase")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()

    # Post an idea: a similar one shows up while typing the title.
    page.goto("/ideas/new/")
    page.get_by_label("Title").press_sequentially("Excel export of usage reports", delay=20)
    suggestion = page.locator("#similar-ideas").get_by_role("link", name="Export reports to Excel")
    suggestion.wait_for()
    screenshot(page, "post-idea-similar-desktop")
    page.get_by_label("Description").fill("Monthly usage per team, as **xlsx**.")
    page.get_by_label("Category").select_option(label="Reporting")
    page.get_by_role("button", name="Post idea").click()
    page.wait_for_url(re.compile(r"/ideas/\d+-excel-export-of-usage-reports/"))
    assert page.get_by_role("heading", name="Excel export of usage reports").is_visible()
    posted = Idea.objects.get(title="Excel export of usage reports")
    assert posted.author == nina and posted.account == acme

    # Vote for another idea: the count changes in place, without a page load.
    page.goto("/?sort=new")
    page.evaluate("window.loadedOnce = true")
    row = page.locator(".idea-row", has_text="Dark mode for the dashboard")
    row.get_by_role("button", name=re.compile("Vote for")).click()
    row.locator(".vote-box.voted .count").wait_for()
    assert row.locator(".count").inner_text() == "1"
    assert page.evaluate("window.loadedOnce") is True
    assert Vote.objects.filter(idea=dark, user=nina).count() == 1
    screenshot(page, "forum-after-vote-desktop")

    # Comment on it.
    row.get_by_role("link", name="Dark mode for the dashboard").click()
    page.get_by_role("textbox", name=re.compile("^Comment")).fill(
        "Our night shift would *love* this."
    )
    page.get_by_role("button", name="Post comment").click()
    page.locator(".markdown-body em", has_text="love").wait_for()
    assert Comment.objects.filter(idea=dark, author=nina).count() == 1
    screenshot(page, "idea-page-desktop")

    # Phone width: the same pages still work.
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto("/")
    screenshot(page, "forum-phone")
    page.goto(excel.get_absolute_url())
    screenshot(page, "idea-page-phone")
    page.goto("/ideas/new/")
    screenshot(page, "post-idea-phone")
    assert page.js_errors == []
