"""Voting, commenting, following and posting ideas on the public forum."""

import pytest
from django.urls import reverse

from ideas.choices import Status, SubscriptionReason
from ideas.models import Comment, Idea, Subscription, Vote
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def vote_url(idea):
    return reverse("ideas:vote", args=[idea.pk])


def unvote_url(idea):
    return reverse("ideas:unvote", args=[idea.pk])


# Voting


def test_customer_votes_with_a_plain_post_and_comes_back(client_for, customer):
    idea = factories.IdeaFactory()
    response = client_for(customer).post(vote_url(idea))
    assert response.status_code == 302
    assert response["Location"] == idea.get_absolute_url()
    idea.refresh_from_db()
    assert idea.vote_count == 1
    assert Vote.objects.filter(idea=idea, user=customer).exists()


def test_htmx_vote_answers_with_the_new_vote_box(client_for, customer):
    idea = factories.IdeaFactory()
    response = client_for(customer).post(vote_url(idea), **HTMX)
    assert response.status_code == 200
    assert f'id="vote-{idea.pk}"' in response.text
    assert '<span class="count">1</span>' in response.text
    assert 'aria-pressed="true"' in response.text
    assert unvote_url(idea) in response.text


def test_voting_twice_makes_one_vote(client_for, customer):
    idea = factories.IdeaFactory()
    client = client_for(customer)
    client.post(vote_url(idea), **HTMX)
    client.post(vote_url(idea), **HTMX)
    idea.refresh_from_db()
    assert idea.vote_count == 1 == Vote.objects.filter(idea=idea).count()


def test_unvote_takes_the_vote_back(client_for, customer):
    idea = factories.IdeaFactory()
    client = client_for(customer)
    client.post(vote_url(idea))
    response = client.post(unvote_url(idea), **HTMX)
    assert '<span class="count">0</span>' in response.text
    idea.refresh_from_db()
    assert idea.vote_count == 0 == Vote.objects.filter(idea=idea).count()


def test_vote_count_equals_rows_after_votes_and_unvotes(client_for):
    idea = factories.IdeaFactory()
    voters = factories.CustomerFactory.create_batch(6)
    for index, voter in enumerate(voters):
        client = client_for(voter)
        client.post(vote_url(idea))
        if index % 2:
            client.post(unvote_url(idea))
            client.post(unvote_url(idea))
    idea.refresh_from_db()
    assert idea.vote_count == Vote.objects.filter(idea=idea).count() == 3


def test_visitor_is_sent_to_log_in_and_back(client):
    idea = factories.IdeaFactory()
    response = client.post(vote_url(idea), {"next": idea.get_absolute_url()})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert f"next=%2Fideas%2F{idea.pk}-" in response["Location"]
    assert not Vote.objects.exists()


def test_visitor_htmx_vote_redirects_the_whole_page_to_log_in(client):
    idea = factories.IdeaFactory()
    response = client.post(
        vote_url(idea), HTTP_HX_CURRENT_URL=f"http://testserver{idea.get_absolute_url()}", **HTMX
    )
    assert response["HX-Redirect"].startswith(reverse("account_login"))
    assert not Vote.objects.exists()


def test_visitor_sees_a_log_in_link_instead_of_a_vote_button(client):
    idea = factories.IdeaFactory()
    text = client.get(idea.get_absolute_url()).text
    assert f"{reverse('account_login')}?next=" in text
    assert vote_url(idea) not in text


def test_vote_needs_post(client_for, customer):
    idea = factories.IdeaFactory()
    assert client_for(customer).get(vote_url(idea)).status_code == 405


def test_customer_cannot_vote_on_an_internal_idea(client_for, customer):
    idea = factories.InternalIdeaFactory()
    assert client_for(customer).post(vote_url(idea)).status_code == 404
    assert not Vote.objects.exists()


def test_vote_on_a_shipped_idea_is_refused_with_a_message(client_for, customer):
    idea = factories.IdeaFactory(status=Status.SHIPPED)
    response = client_for(customer).post(vote_url(idea), follow=True)
    assert "Voting is closed" in response.text
    assert not Vote.objects.exists()


def test_vote_on_a_merged_idea_counts_for_its_target(client_for, customer):
    target = factories.IdeaFactory()
    merged = factories.IdeaFactory(merged_into=target)
    client_for(customer).post(vote_url(merged))
    assert Vote.objects.get().idea == target
    target.refresh_from_db()
    assert target.vote_count == 1


def test_voter_follows_the_idea(client_for, customer):
    idea = factories.IdeaFactory()
    client_for(customer).post(vote_url(idea))
    assert Subscription.objects.get(user=customer, idea=idea).reason == SubscriptionReason.VOTER


def test_next_pointing_off_site_is_ignored(client_for, customer):
    idea = factories.IdeaFactory()
    response = client_for(customer).post(vote_url(idea), {"next": "https://evil.example/"})
    assert response["Location"] == idea.get_absolute_url()


def test_votes_are_rate_limited_with_a_friendly_page(client_for, customer, settings):
    settings.LODE_RATE_LIMITS = {**settings.LODE_RATE_LIMITS, "vote": "3/m"}
    ideas = factories.IdeaFactory.create_batch(4)
    client = client_for(customer)
    answers = [client.post(vote_url(idea)).status_code for idea in ideas]
    assert answers == [302, 302, 302, 429]
    response = client.post(vote_url(ideas[3]))
    assert response.status_code == 429
    assert "Slow down a little" in response.text
    assert int(response["Retry-After"]) > 0
    assert Vote.objects.count() == 3


def test_votes_are_rate_limited_per_ip_too(client_for, settings):
    settings.LODE_RATE_LIMITS = {**settings.LODE_RATE_LIMITS, "vote_ip": "2/m"}
    idea = factories.IdeaFactory()
    answers = [
        client_for(factories.CustomerFactory()).post(vote_url(idea)).status_code for _ in range(3)
    ]
    assert answers == [302, 302, 429]


# Comments


def comment_url(idea):
    return reverse("ideas:comment", args=[idea.pk])


def test_customer_comments_with_markdown(client_for, customer):
    idea = factories.IdeaFactory()
    response = client_for(customer).post(
        comment_url(idea), {"body": "We need this **badly**"}, follow=True
    )
    assert "<strong>badly</strong>" in response.text
    assert "Comment posted" in response.text
    idea.refresh_from_db()
    assert idea.comment_count == 1
    assert Subscription.objects.get(user=customer, idea=idea).reason == "commenter"


def test_comment_markdown_is_sanitised(client_for, customer):
    idea = factories.IdeaFactory()
    body = (
        "<script>alert('x')</script> [click](javascript:alert(1)) "
        '<img src=x onerror="alert(1)"> <a href="/ok" onclick="steal()">link</a>'
    )
    response = client_for(customer).post(comment_url(idea), {"body": body}, follow=True)
    assert "alert('x')" not in response.text
    assert "javascript:" not in response.text
    assert "onerror" not in response.text and "onclick" not in response.text


def test_empty_comment_is_refused_and_nothing_is_saved(client_for, customer):
    idea = factories.IdeaFactory()
    response = client_for(customer).post(comment_url(idea), {"body": "   "})
    assert response.status_code == 400
    assert "Write something before posting" in response.text
    assert not Comment.objects.exists()


def test_overlong_comment_keeps_what_was_typed(client_for, customer):
    idea = factories.IdeaFactory()
    body = "word " * 1200
    response = client_for(customer).post(comment_url(idea), {"body": body})
    assert response.status_code == 400
    assert "Keep comments to 5000 characters" in response.text
    assert "word word word" in response.text


def test_customer_cannot_write_a_private_note(client_for, customer):
    idea = factories.IdeaFactory()
    client_for(customer).post(comment_url(idea), {"body": "psst", "is_internal": "on"})
    assert Comment.objects.get().is_internal is False


def test_private_notes_are_hidden_from_customers_and_visitors(client, client_for, pm, customer):
    idea = factories.IdeaFactory()
    client_for(pm).post(comment_url(idea), {"body": "Eng says Q3 at best", "is_internal": "on"})
    note = Comment.objects.get()
    assert note.is_internal
    idea.refresh_from_db()
    assert idea.comment_count == 0
    assert "Eng says Q3 at best" in client_for(pm).get(idea.get_absolute_url()).text
    client.logout()
    assert "Eng says Q3 at best" not in client.get(idea.get_absolute_url()).text
    assert "Eng says Q3 at best" not in client_for(customer).get(idea.get_absolute_url()).text


def test_visitor_cannot_comment(client):
    idea = factories.IdeaFactory()
    response = client.post(comment_url(idea), {"body": "hello there"})
    assert response.status_code == 302
    assert not Comment.objects.exists()


def test_official_response_and_timeline_are_shown(client):
    idea = factories.IdeaFactory(
        status=Status.PLANNED, public_response="Coming in **Q3**, thanks all!"
    )
    factories.StatusChangeFactory(
        idea=idea, to_status=Status.PLANNED, explanation="Top request from retail."
    )
    factories.StatusChangeFactory(
        idea=idea, to_status=Status.PLANNED, explanation="Secret reasoning", is_public=False
    )
    text = client.get(idea.get_absolute_url()).text
    assert "Official response" in text and "<strong>Q3</strong>" in text
    assert "Top request from retail." in text
    assert "Secret reasoning" not in text


# Following


def test_follow_and_unfollow(client_for, customer):
    idea = factories.IdeaFactory()
    client = client_for(customer)
    response = client.post(reverse("ideas:follow", args=[idea.pk]), **HTMX)
    assert "Following" in response.text
    assert Subscription.objects.get(user=customer, idea=idea).active
    client.post(reverse("ideas:follow", args=[idea.pk]), {"action": "unfollow"})
    assert not Subscription.objects.get(user=customer, idea=idea).active


def test_unfollowing_survives_a_later_vote(client_for, customer):
    idea = factories.IdeaFactory()
    client = client_for(customer)
    client.post(reverse("ideas:follow", args=[idea.pk]), {"action": "unfollow"})
    client.post(vote_url(idea))
    assert not Subscription.objects.get(user=customer, idea=idea).active


# Posting an idea


NEW = reverse("ideas:new")


def test_posting_needs_a_log_in(client):
    response = client.get(NEW)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_customer_posts_an_idea_and_follows_it(client_for, customer):
    category = factories.CategoryFactory(name="Reporting")
    response = client_for(customer).post(
        NEW,
        {
            "title": "  Schedule reports   by email  ",
            "body": "Every Monday.",
            "category": category.pk,
        },
    )
    idea = Idea.objects.get()
    assert response.status_code == 302
    assert response["Location"] == idea.get_absolute_url()
    assert idea.title == "Schedule reports by email"
    assert idea.author == customer and idea.account == customer.account
    assert idea.source == "customer" and idea.status == Status.NEW
    assert Subscription.objects.get(user=customer, idea=idea).reason == "author"


@pytest.mark.parametrize(
    ("title", "body", "message"),
    [
        ("", "", "Give your idea a title"),
        ("  short  ", "", "at least 8 characters"),
        ("x" * 141, "", "Keep the title to 140 characters"),
        ("Bell \x07 in the title", "", "control characters"),
        ("Multi\nline title here", "", "single line"),
        ("A perfectly fine title", "b" * 10_001, "Keep the description to 10000"),
        ("A perfectly fine title", "NUL \x00 byte", "Null characters are not allowed"),
    ],
)
def test_invalid_ideas_are_refused_with_a_clear_message(
    client_for, customer, title, body, message
):
    response = client_for(customer).post(NEW, {"title": title, "body": body})
    assert response.status_code == 400
    assert message in response.text
    assert not Idea.objects.exists()


def test_failed_form_keeps_what_was_typed(client_for, customer):
    response = client_for(customer).post(NEW, {"title": "tiny", "body": "My long reasoning"})
    assert 'value="tiny"' in response.text
    assert "My long reasoning" in response.text


def test_ideas_are_rate_limited(client_for, customer, settings):
    settings.LODE_RATE_LIMITS = {**settings.LODE_RATE_LIMITS, "idea": "2/h"}
    client = client_for(customer)
    answers = [
        client.post(NEW, {"title": f"Idea about widgets {n}"}).status_code for n in range(3)
    ]
    assert answers == [302, 302, 429]
    assert Idea.objects.count() == 2


def test_similar_ideas_appear_while_typing(client_for, customer):
    factories.IdeaFactory(title="Export reports to Excel", vote_count=12)
    factories.IdeaFactory(title="Dark mode")
    response = client_for(customer).get(
        reverse("ideas:similar"), {"title": "excel export"}, **HTMX
    )
    assert response.status_code == 200
    assert "Export reports to Excel" in response.text
    assert "Dark mode" not in response.text
    assert '<span class="count">12</span>' in response.text


def test_similar_ideas_never_suggest_internal_ideas_to_customers(client_for, customer, pm):
    factories.InternalIdeaFactory(title="Excel export for finance")
    url = reverse("ideas:similar")
    assert "Excel export for finance" not in client_for(customer).get(url, {"title": "excel"}).text
    assert "Excel export for finance" in client_for(pm).get(url, {"title": "excel"}).text


def test_similar_ideas_say_when_nothing_matches(client):
    response = client.get(reverse("ideas:similar"), {"title": "quantum teleportation"})
    assert "looks new" in response.text
