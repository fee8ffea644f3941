"""Smoke journey: the demo forum renders, and a product manager can log in."""

import pytest
from django.core.management import call_command

from ideas import queries
from ideas.models import Idea

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_page_shows_seeded_ideas_and_a_pm_can_log_in(page, screenshot):
    call_command("seed_demo", verbosity=0)
    # The forum opens on Trending: the idea whose votes are the most recent and numerous.
    top_idea = Idea.objects.visible_to(None).listed().order_by(*queries.SORTS["trending"]).first()

    page.goto("/")
    assert page.title().startswith("Ideas")
    first_title = page.locator(".idea-title").first
    assert first_title.inner_text() == top_idea.title
    assert page.locator(".idea-row").count() == 20
    screenshot(page, "home-desktop")

    # Scoped and exact: visitors' vote boxes are links named "Log in to vote for …".
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Log in", exact=True
    ).click()
    page.get_by_label("Email address").fill("pm@lode.example")
    page.get_by_label("Password").fill("lode-demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    # Nine entries fit in one line at 1280 px; the role is in the user menu.
    navbar = page.locator(".navbar")
    assert navbar.bounding_box()["height"] < 80
    navbar.locator(".dropdown-toggle").click()
    assert page.get_by_text("Signed in as product manager").is_visible()
    assert page.js_errors == []

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/")
    screenshot(page, "home-phone")
    assert page.locator(".idea-row").first.is_visible()
