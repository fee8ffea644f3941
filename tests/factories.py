"""factory_boy factories for every model; personas in conftest.py build on them."""

import datetime as dt
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from ideas import models
from ideas.choices import (
    ActivityKind,
    Importance,
    Lifecycle,
    Plan,
    Region,
    Segment,
    SignalKind,
    Source,
    Status,
    SubscriptionReason,
    Visibility,
)
from portal.models import Role, User

PASSWORD = "correct horse battery staple"


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Account

    name = factory.Sequence(lambda n: f"Account {n} Inc")
    domain = factory.Sequence(lambda n: f"account{n}.example")
    segment = Segment.TECHNOLOGY
    region = Region.EMEA
    plan = Plan.BUSINESS
    arr = Decimal("120000.00")
    lifecycle = Lifecycle.CUSTOMER
    external_id = factory.Sequence(lambda n: f"CRM-{n:05d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    role = Role.CUSTOMER
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified_email(user, create, extracted, **kwargs):
        """Email verification is mandatory, so users can log in only with a verified address.

        `UserFactory(verified_email=False)` makes one who has not verified yet.
        """
        if create and extracted is not False:
            EmailAddress.objects.create(
                user=user, email=user.email.lower(), verified=True, primary=True
            )


class CustomerFactory(UserFactory):
    role = Role.CUSTOMER
    account = factory.SubFactory(AccountFactory)
    email = factory.LazyAttributeSequence(lambda o, n: f"customer{n}@{o.account.domain}")


class SalesFactory(UserFactory):
    role = Role.SALES
    email = factory.Sequence(lambda n: f"sales{n}@lode.example")


class StaffFactory(UserFactory):
    role = Role.STAFF
    email = factory.Sequence(lambda n: f"staff{n}@lode.example")


class PMFactory(UserFactory):
    role = Role.PM
    email = factory.Sequence(lambda n: f"pm{n}@lode.example")


class AdminFactory(UserFactory):
    role = Role.ADMIN
    email = factory.Sequence(lambda n: f"admin{n}@lode.example")
    is_staff = True
    is_superuser = True


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Tag
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"tag{n}")
    slug = factory.Sequence(lambda n: f"tag{n}")


class IdeaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Idea

    title = factory.Sequence(lambda n: f"Idea number {n} for a better product")
    body = "It would help our team to have this."
    category = factory.SubFactory(CategoryFactory)
    author = factory.SubFactory(CustomerFactory)
    status = Status.NEW
    visibility = Visibility.PUBLIC


class InternalIdeaFactory(IdeaFactory):
    visibility = Visibility.INTERNAL
    author = factory.SubFactory(StaffFactory)


class VoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Vote

    idea = factory.SubFactory(IdeaFactory)
    user = factory.SubFactory(CustomerFactory)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Comment

    idea = factory.SubFactory(IdeaFactory)
    author = factory.SubFactory(CustomerFactory)
    body = "Yes please, we need this too."
    is_internal = False


class SignalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Signal

    captured_by = factory.SubFactory(SalesFactory)
    account = factory.SubFactory(AccountFactory)
    contact_name = factory.Faker("name")
    contact_role = "Head of Operations"
    verbatim = "If we could export this to our BI tool we would roll it out to every team."
    summary = "Wants BI export"
    kind = SignalKind.FEATURE_REQUEST
    source = Source.MEETING
    heard_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=3))
    importance = Importance.IMPORTANT
    opportunity_value = Decimal("50000.00")
    deal_stage = "open"
    account_arr = factory.LazyAttribute(lambda o: o.account.arr if o.account else None)
    account_plan = factory.LazyAttribute(lambda o: o.account.plan if o.account else "")
    account_segment = factory.LazyAttribute(lambda o: o.account.segment if o.account else "")
    account_region = factory.LazyAttribute(lambda o: o.account.region if o.account else "")
    account_lifecycle = factory.LazyAttribute(lambda o: o.account.lifecycle if o.account else "")
    idea = factory.SubFactory(IdeaFactory)


class StatusChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.StatusChange

    idea = factory.SubFactory(IdeaFactory)
    actor = factory.SubFactory(PMFactory)
    kind = ActivityKind.STATUS
    from_status = Status.NEW
    to_status = Status.UNDER_REVIEW
    explanation = "We are looking into this."


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Subscription

    idea = factory.SubFactory(IdeaFactory)
    user = factory.SubFactory(CustomerFactory)
    reason = SubscriptionReason.FOLLOWER
