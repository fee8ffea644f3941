"""Download my data, delete my account: anonymised, with counts and evidence kept honest."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.urls import reverse

from ideas.models import Comment, Idea, Notification, Signal, Subscription, Vote
from portal.models import User
from tests import factories

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase 7"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def assert_counters_match_rows():
    for idea in Idea.objects.all():
        assert idea.vote_count == Vote.objects.filter(idea=idea).count(), idea
        public = Comment.objects.filter(idea=idea, is_internal=False).count()
        assert idea.comment_count == public, idea


def test_my_data_has_my_votes_and_comments_and_nothing_of_others(client_for, customer):
    from ideas import services

    idea = factories.IdeaFactory(title="Dark mode")
    secret = factories.InternalIdeaFactory(title="Secret roadmap item")
    services.vote_add(user=customer, idea=idea)
    services.comment_add(author=customer, idea=idea, body="Please, my eyes")
    other = factories.CustomerFactory(email="zed@acme.example")
    services.comment_add(author=other, idea=idea, body="Someone else's words")
    Vote.objects.create(user=customer, idea=secret)  # voted before it became internal

    response = client_for(customer).get(reverse("account_data"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["profile"]["email"] == customer.email
    assert {"id": idea.pk, "title": "Dark mode"} in [v["idea"] for v in data["votes"]]
    assert [c["body"] for c in data["comments"]] == ["Please, my eyes"]
    assert "Someone else's words" not in response.text
    assert "zed@acme.example" not in response.text
    assert "Secret roadmap item" not in response.text


def test_a_visitor_cannot_download_data(client):
    response = client.get(reverse("account_data"))
    assert response.status_code == 302


def test_deleting_asks_for_the_password(client_for, customer):
    client = client_for(customer)
    assert client.get(reverse("account_delete")).status_code == 200
    response = client.post(reverse("account_delete"), {"password": "not it"})
    assert response.status_code == 200
    assert "That is not your password." in response.text
    assert User.objects.get(pk=customer.pk).is_active


def test_deletion_anonymises_and_keeps_counts_honest(client_for, customer):
    from ideas import services

    idea = factories.IdeaFactory()
    own = services.idea_submit(author=customer, title="Export to PDF please", body="")
    services.vote_add(user=customer, idea=idea)
    services.comment_add(author=customer, idea=idea, body="My personal story")
    services.comment_add(author=factories.CustomerFactory(), idea=idea, body="Stays")
    assert EmailAddress.objects.filter(user=customer).exists()  # the factory verifies it

    client = client_for(customer)
    response = client.post(reverse("account_delete"), {"password": factories.PASSWORD})
    assert response.status_code == 302

    gone = User.objects.get(pk=customer.pk)
    assert gone.email == f"deleted-{customer.pk}@invalid"
    assert gone.name == "Deleted user"
    assert not gone.is_active and not gone.has_usable_password()
    assert gone.account_id is None
    assert Vote.objects.filter(user=gone, idea=idea).exists()
    assert not Comment.objects.filter(body="My personal story").exists()
    assert Comment.objects.filter(body="Stays").exists()
    assert Idea.objects.filter(pk=own.pk, author=gone).exists()
    assert not Subscription.objects.filter(user=gone).exists()
    assert not Notification.objects.filter(recipient=gone).exists()
    assert not EmailAddress.objects.filter(user=gone).exists()
    assert_counters_match_rows()
    # Logged out, and the session is dead.
    assert client.get(reverse("account_data")).status_code == 302


def test_a_deleted_user_cannot_log_in_and_the_email_is_free_again(client, customer):
    from ideas import services

    email = customer.email
    services.user_delete(user=customer, actor=customer)
    response = client.post(
        reverse("account_login"), {"login": email, "password": factories.PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
    response = client.post(
        reverse("account_signup"),
        {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert User.objects.filter(email=email).exists()


def test_a_reps_signals_stay_as_evidence_with_the_rep_anonymised(sales):
    from ideas import services

    signal = factories.SignalFactory(captured_by=sales)
    services.user_delete(user=sales, actor=sales)
    signal.refresh_from_db()
    assert Signal.objects.filter(pk=signal.pk).exists()
    assert signal.captured_by.name == "Deleted user"


def test_an_admin_can_export_and_delete_a_user(client_for, admin_user, customer):
    from ideas import services

    services.comment_add(author=customer, idea=factories.IdeaFactory(), body="Mine")
    client = client_for(admin_user)
    changelist = reverse("admin:portal_user_changelist")
    response = client.post(
        changelist, {"action": "export_data", "_selected_action": [customer.pk]}
    )
    assert response.status_code == 200
    assert json.loads(response.content)[str(customer.pk)]["comments"][0]["body"] == "Mine"

    response = client.post(
        changelist, {"action": "delete_and_anonymise", "_selected_action": [customer.pk]}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=customer.pk).name == "Deleted user"
    assert_counters_match_rows()


def test_a_customer_cannot_use_the_admin_actions(client_for, customer, other_customer):
    response = client_for(customer).post(
        reverse("admin:portal_user_changelist"),
        {"action": "delete_and_anonymise", "_selected_action": [other_customer.pk]},
    )
    assert response.status_code in {302, 403}
    assert User.objects.get(pk=other_customer.pk).is_active
