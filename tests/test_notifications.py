"""Everyone who asked hears back: emails per audience, preferences, unsubscribe, changelog."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from ideas import notifications, services
from ideas.choices import Status
from ideas.models import Notification, ReleaseNote
from tests import factories

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def run_tasks_at_once(settings):
    settings.TASKS = IMMEDIATE
    settings.LODE_BASE_URL = "https://ideas.example.com"


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what services schedule for after the commit, as a real request would."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def emails_to(address):
    return [message for message in mail.outbox if address in message.to]


def test_followers_hear_in_their_own_words(on_commit, pm):
    idea = factories.IdeaFactory(title="Dark mode for the dashboard")
    author = idea.author
    voter = factories.CustomerFactory(email="vera@acme.example")
    commenter = factories.CustomerFactory(email="carl@acme.example")
    services.subscription_add(user=author, idea=idea, reason="author")
    services.vote_add(user=voter, idea=idea)
    services.comment_add(author=commenter, idea=idea, body="Yes please")
    on_commit(
        lambda: services.idea_set_status(
            idea=idea, actor=pm, status=Status.PLANNED, explanation="Coming in the May release."
        )
    )
    (vote_mail,) = emails_to("vera@acme.example")
    assert vote_mail.subject == "The idea you voted for is now planned"
    assert "Coming in the May release." in vote_mail.body
    assert f"https://ideas.example.com{idea.get_absolute_url()}" in vote_mail.body
    html = vote_mail.alternatives[0].content
    assert "Coming in the May release." in html and "Unsubscribe" in html
    assert emails_to(author.email)[0].subject == "Your idea is now planned"
    assert emails_to("carl@acme.example")[0].subject == (
        "The idea you commented on is now planned"
    )
    assert not emails_to(pm.email)  # the one who made the change


def test_reps_hear_which_accounts_to_tell_and_customers_never_see_revenue(on_commit, pm, sales):
    idea = factories.IdeaFactory(title="Okta single sign-on")
    initech = factories.AccountFactory(name="Initech")
    services.signal_capture(
        captured_by=sales, account=initech, verbatim="No Okta, no renewal.",
        heard_on=idea.created_at.date(), importance="deal_breaker", deal_stage="renewal_at_risk",
        opportunity_value=180000, contact_name="Dana Lee", contact_role="CIO", idea=idea,
    )  # fmt: skip
    customer = factories.CustomerFactory(email="vera@acme.example")
    services.vote_add(user=customer, idea=idea)
    on_commit(lambda: services.idea_set_status(idea=idea, actor=pm, status=Status.SHIPPED))
    (rep_mail,) = emails_to(sales.email)
    assert rep_mail.subject == "“Okta single sign-on” is now shipped: 1 account to tell"
    for expected in ("Initech", "Dana Lee", "CIO", "Deal-breaker", "$180,000"):
        assert expected in rep_mail.body
    (customer_mail,) = emails_to("vera@acme.example")
    text = customer_mail.body + customer_mail.alternatives[0].content
    for secret in ("Initech", "Dana Lee", "180,000", "180000", "renewal", "No Okta"):
        assert secret not in text


def test_nobody_is_emailed_about_an_internal_idea_they_cannot_see(on_commit, pm, sales):
    idea = factories.InternalIdeaFactory()
    customer = factories.CustomerFactory(email="vera@acme.example")
    factories.SubscriptionFactory(idea=idea, user=customer)
    factories.SubscriptionFactory(idea=idea, user=sales)
    on_commit(lambda: services.idea_set_status(idea=idea, actor=pm, status=Status.PLANNED))
    assert not emails_to("vera@acme.example")
    assert not Notification.objects.filter(recipient=customer).exists()
    assert len(emails_to(sales.email)) == 1


def test_a_retried_job_never_sends_twice(pm):
    idea = factories.IdeaFactory()
    voter = factories.CustomerFactory()
    services.vote_add(user=voter, idea=idea)
    services.idea_set_status(idea=idea, actor=pm, status=Status.PLANNED)  # no on_commit: queued
    ids = list(Notification.objects.values_list("pk", flat=True))
    assert notifications.send_notification_emails(ids) == 1
    assert notifications.send_notification_emails(ids) == 0
    assert len(mail.outbox) == 1


def test_off_means_no_email_but_still_in_the_app(on_commit, client_for, pm):
    idea = factories.IdeaFactory(title="Bulk export of tasks")
    quiet = factories.CustomerFactory(email_frequency="off")
    services.vote_add(user=quiet, idea=idea)
    on_commit(lambda: services.idea_set_status(idea=idea, actor=pm, status=Status.PLANNED))
    assert not emails_to(quiet.email)
    client = client_for(quiet)
    text = client.get("/").text
    assert "1 unread" in text
    assert (
        "“Bulk export of tasks” is now planned." in client.get(reverse("ideas:notifications")).text
    )
    client.post(reverse("ideas:notifications_read"))
    assert not Notification.objects.filter(recipient=quiet, read_at__isnull=True).exists()


def test_daily_digest_groups_everything_once(on_commit, pm):
    reader = factories.CustomerFactory(email_frequency="daily", email="dee@acme.example")
    first, second = factories.IdeaFactory.create_batch(2)
    for idea in (first, second):
        services.vote_add(user=reader, idea=idea)
        on_commit(lambda idea=idea: services.idea_set_status(
            idea=idea, actor=pm, status=Status.PLANNED))  # fmt: skip
    assert not emails_to("dee@acme.example")
    call_command("send_notification_digests")
    (digest,) = emails_to("dee@acme.example")
    assert digest.subject == "Lode: 2 updates"
    assert first.title in digest.body and second.title in digest.body
    call_command("send_notification_digests")
    assert len(emails_to("dee@acme.example")) == 1


def test_preferences_page_changes_the_frequency(client_for, customer):
    client = client_for(customer)
    url = reverse("ideas:notification_preferences")
    assert client.get(url).status_code == 200
    client.post(url, {"email_frequency": "daily"})
    customer.refresh_from_db()
    assert customer.email_frequency == "daily"
    assert client.post(url, {"email_frequency": "hourly"}).status_code == 400


def test_one_click_unsubscribe_works_without_logging_in(client, on_commit, pm):
    idea = factories.IdeaFactory()
    voter = factories.CustomerFactory()
    services.vote_add(user=voter, idea=idea)
    on_commit(lambda: services.idea_set_status(idea=idea, actor=pm, status=Status.PLANNED))
    (message,) = emails_to(voter.email)
    url = notifications.unsubscribe_url(voter)
    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = url.removeprefix("https://ideas.example.com")
    assert "Unsubscribe" in client.get(path).text
    voter.refresh_from_db()
    assert voter.email_frequency == "immediately"  # a GET (link preview) changes nothing
    assert "You're unsubscribed" in client.post(path).text
    voter.refresh_from_db()
    assert voter.email_frequency == "off"
    assert client.get(path[:-5] + "xxxx/").status_code == 404


def test_merged_idea_followers_are_told(on_commit, pm):
    source = factories.IdeaFactory(title="SAML login please")
    target = factories.IdeaFactory(title="Single sign-on")
    voter = factories.CustomerFactory()
    services.vote_add(user=voter, idea=source)
    on_commit(lambda: services.idea_merge(source=source, target=target, actor=pm))
    (message,) = emails_to(voter.email)
    assert message.subject == "The idea you voted for was merged into “Single sign-on”"
    assert "SAML login please" in message.body


# Changelog


def test_publishing_a_release_note(client, client_for, on_commit, pm):
    public = factories.IdeaFactory(title="Dark mode", status=Status.SHIPPED)
    internal = factories.InternalIdeaFactory(title="Secret admin console", status=Status.SHIPPED)
    fan = factories.CustomerFactory(email="fan@acme.example")
    for idea in (public, internal):
        factories.SubscriptionFactory(idea=idea, user=fan)
    insider = factories.StaffFactory()
    factories.SubscriptionFactory(idea=internal, user=insider)
    response = on_commit(
        lambda: client_for(pm).post(
            reverse("ideas:release_note_new"),
            {
                "title": "November release",
                "body": "Dark mode is **here**.",
                "ideas": [public.pk, internal.pk],
            },
        )
    )
    note = ReleaseNote.objects.get()
    assert response["Location"] == note.get_absolute_url()
    assert len(emails_to("fan@acme.example")) == 1  # once, though following two linked ideas
    assert emails_to("fan@acme.example")[0].subject == "Just shipped: November release"
    assert len(emails_to(insider.email)) == 1
    client.logout()
    page = client.get(reverse("ideas:changelog")).text
    assert "November release" in page and "<strong>here</strong>" in page
    assert "Dark mode" in page and "Secret admin console" not in page
    for feed in ("ideas:changelog_rss", "ideas:changelog_atom"):
        text = client.get(reverse(feed)).text
        assert "November release" in text and "Secret admin console" not in text


def test_only_pms_publish(client, client_for, customer, sales):
    url = reverse("ideas:release_note_new")
    assert client.get(url).status_code == 404
    assert client_for(customer).get(url).status_code == 404
    assert client_for(sales).post(url, {"title": "x", "body": "y"}).status_code == 404
    assert not ReleaseNote.objects.exists()


def test_release_note_needs_a_title_and_body(client_for, pm):
    response = client_for(pm).post(reverse("ideas:release_note_new"), {"title": "", "body": ""})
    assert response.status_code == 400 and not ReleaseNote.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_status_change_emails_go_through_the_real_database_worker(settings, pm):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    idea = factories.IdeaFactory()
    voters = factories.CustomerFactory.create_batch(3)
    for voter in voters:
        services.vote_add(user=voter, idea=idea)
    services.idea_set_status(idea=idea, actor=pm, status=Status.PLANNED)
    assert len(mail.outbox) == 0  # queued, not sent
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(v.email for v in voters)
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    assert len(mail.outbox) == 3
