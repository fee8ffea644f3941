"""Lode's domain: accounts, ideas and the evidence behind them.

Models hold row-level behaviour and database constraints only; rules for writes live in
services.py, rules for reads in queries.py and permissions.py.
"""

import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from ideas import trending
from ideas.choices import (
    OPEN_STATUSES,
    SUBSCRIBABLE_WEBHOOK_EVENTS,
    ActivityKind,
    DealStage,
    DeliveryStatus,
    IdeaSource,
    Importance,
    Lifecycle,
    NotificationKind,
    Plan,
    Region,
    Segment,
    SignalKind,
    Source,
    Status,
    SubscriptionReason,
    Visibility,
    WebhookEvent,
)
from ideas.queries import IdeaQuerySet


def choices_check(
    field: str, choices: type[models.TextChoices], name: str
) -> models.CheckConstraint:
    """A CHECK constraint that keeps a choices column to its declared values."""
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


def non_negative(field: str, name: str) -> models.CheckConstraint:
    """A CHECK constraint for money and counters: NULL or at least zero."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0}), name=name
    )


class Account(models.Model):
    """A customer or prospect organisation."""

    name = models.CharField(max_length=200)
    domain = models.CharField(
        max_length=253,
        blank=True,
        help_text="Email domain (example.com); customers who verify an address here join it.",
    )
    segment = models.CharField(max_length=32, choices=Segment.choices, blank=True)
    region = models.CharField(max_length=16, choices=Region.choices, blank=True)
    plan = models.CharField(max_length=16, choices=Plan.choices, blank=True)
    arr = models.DecimalField(
        "ARR", max_digits=14, decimal_places=2, default=0, help_text="Annual recurring revenue."
    )
    lifecycle = models.CharField(
        max_length=16, choices=Lifecycle.choices, default=Lifecycle.PROSPECT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_accounts",
        help_text="The sales rep who owns this account.",
    )
    external_id = models.CharField(
        "CRM id", max_length=100, blank=True, help_text="The account's id in your CRM."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            non_negative("arr", "account_arr_non_negative"),
            models.UniqueConstraint(
                "domain", condition=~Q(domain=""), name="account_domain_unique"
            ),
            models.UniqueConstraint(
                "external_id", condition=~Q(external_id=""), name="account_external_id_unique"
            ),
            models.CheckConstraint(
                condition=Q(segment="") | Q(segment__in=Segment.values),
                name="account_segment_valid",
            ),
            models.CheckConstraint(
                condition=Q(region="") | Q(region__in=Region.values), name="account_region_valid"
            ),
            models.CheckConstraint(
                condition=Q(plan="") | Q(plan__in=Plan.values), name="account_plan_valid"
            ),
            choices_check("lifecycle", Lifecycle, "account_lifecycle_valid"),
        ]
        indexes = [models.Index(fields=["segment", "region"])]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)
    slug = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Idea(models.Model):
    """A product idea: what someone wants, and everything the PM decides about it."""

    title = models.CharField(max_length=140)
    slug = models.SlugField(max_length=80, blank=True)
    body = models.TextField(blank=True, help_text="Markdown.")
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="ideas"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="ideas")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
    )
    account = models.ForeignKey(
        Account,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
        help_text="The author's account when the idea was posted.",
    )
    source = models.CharField(
        max_length=16, choices=IdeaSource.choices, default=IdeaSource.CUSTOMER
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_ideas",
        help_text="The product manager who owns the decision.",
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_ideas"
    )
    merged_at = models.DateTimeField(null=True, blank=True)

    # PM inputs for the priority score.
    effort = models.DecimalField(
        "effort (person-weeks)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="Rough size of the work, in person-weeks.",
    )
    strategic_fit = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="0 (off strategy) to 5 (core to the strategy)."
    )

    public_response = models.TextField(
        blank=True, help_text="The PM's official answer (markdown)."
    )
    public_response_at = models.DateTimeField(null=True, blank=True)
    public_response_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Denormalised counters, kept exact by services.py with F() updates.
    vote_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0, help_text="Public comments only.")

    # log(Σ e^(t/τ)) over the idea's creation and its votes: see ideas/trending.py.
    trending_score = models.FloatField(default=0.0)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    # Computed by PostgreSQL itself, so every write path (ORM, COPY, raw SQL) keeps it right.
    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config="english")
        + SearchVector("body", weight="B", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = IdeaQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            choices_check("status", Status, "idea_status_valid"),
            choices_check("visibility", Visibility, "idea_visibility_valid"),
            choices_check("source", IdeaSource, "idea_source_valid"),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | ~Q(merged_into=F("pk")),
                name="idea_not_merged_into_itself",
            ),
            models.CheckConstraint(
                condition=Q(effort__isnull=True) | Q(effort__gte=0),
                name="idea_effort_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(strategic_fit__isnull=True) | Q(strategic_fit__lte=5),
                name="idea_strategic_fit_0_to_5",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="idea_title_not_empty"),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="idea_search_gin"),
            models.Index(fields=["visibility", "status", "-vote_count"], name="idea_list_top"),
            models.Index(fields=["visibility", "status", "-created_at"], name="idea_list_new"),
            # The forum's three orders, over ideas that stand on their own: a page of 20 is an
            # index walk that stops after 20 rows, whatever the number of ideas.
            models.Index(
                F("trending_score").desc(),
                F("id").desc(),
                condition=Q(merged_into__isnull=True),
                name="idea_live_trending",
            ),
            models.Index(
                F("vote_count").desc(),
                F("created_at").desc(),
                F("id").desc(),
                condition=Q(merged_into__isnull=True),
                name="idea_live_top",
            ),
            models.Index(
                F("created_at").desc(),
                F("id").desc(),
                condition=Q(merged_into__isnull=True),
                name="idea_live_new",
            ),
            # The review queue's oldest-first walk over new ideas; the included columns let
            # its filter counts read the index alone.
            models.Index(
                fields=["created_at", "id"],
                include=["source", "category", "account"],
                condition=Q(status="new", merged_into__isnull=True),
                name="idea_triage_new_cover",
            ),
            # Counting open ideas (the board) reads this index alone, not the wide rows.
            models.Index(
                fields=["status"], condition=Q(merged_into__isnull=True), name="idea_open_status"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if self._state.adding and not self.trending_score:
            self.trending_score = trending.creation_score(self.created_at or timezone.now())
        if not self.slug:
            self.slug = slugify(self.title)[:80].strip("-") or "idea"
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "slug"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("ideas:detail", kwargs={"pk": self.pk, "slug": self.slug or "idea"})

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None

    @property
    def can_be_voted(self) -> bool:
        return not self.is_merged and self.status in OPEN_STATUSES


class Vote(models.Model):
    """One person's vote for one idea; the database refuses a second."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "idea"], name="vote_unique_per_user")
        ]
        indexes = [models.Index(fields=["idea", "created_at"])]

    def __str__(self) -> str:
        return f"{self.user} → {self.idea}"


class Comment(models.Model):
    """A public comment, or an internal note that only the company sees."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="comments"
    )
    body = models.TextField(help_text="Markdown.")
    is_internal = models.BooleanField(
        "internal note", default=False, help_text="Private note: never shown to customers."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    sentiment = models.FloatField(
        null=True, blank=True, help_text="VADER compound score, −1 to 1; see docs/insights.md."
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="comment_body_not_empty")
        ]
        indexes = [models.Index(fields=["idea", "is_internal", "created_at"])]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.idea}"


class Signal(models.Model):
    """One piece of evidence heard in the field: who said what, where, and what rides on it."""

    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="signals"
    )
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.PROTECT, related_name="signals"
    )
    contact_name = models.CharField(max_length=150, blank=True)
    contact_role = models.CharField(max_length=150, blank=True)
    verbatim = models.TextField(help_text="The customer's own words.")
    summary = models.CharField(max_length=200, blank=True, help_text="The rep's one-line summary.")
    kind = models.CharField(
        max_length=20, choices=SignalKind.choices, default=SignalKind.FEATURE_REQUEST
    )
    competitor = models.CharField(max_length=120, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MEETING)
    heard_on = models.DateField()
    importance = models.CharField(
        max_length=16, choices=Importance.choices, default=Importance.IMPORTANT
    )
    opportunity_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    deal_stage = models.CharField(max_length=20, choices=DealStage.choices, blank=True)

    # The account as it stood when the signal was heard, so later trends stay true.
    account_arr = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    account_plan = models.CharField(max_length=16, blank=True)
    account_segment = models.CharField(max_length=32, blank=True)
    account_region = models.CharField(max_length=16, blank=True)
    account_lifecycle = models.CharField(max_length=16, blank=True)

    idea = models.ForeignKey(
        Idea, null=True, blank=True, on_delete=models.SET_NULL, related_name="signals"
    )
    proposed_title = models.CharField(
        max_length=140, blank=True, help_text="A new idea the rep suggests, for the PM to create."
    )
    routed_at = models.DateTimeField(null=True, blank=True)
    routed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sentiment = models.FloatField(
        null=True, blank=True, help_text="VADER compound score, −1 to 1; see docs/insights.md."
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            choices_check("kind", SignalKind, "signal_kind_valid"),
            choices_check("source", Source, "signal_source_valid"),
            choices_check("importance", Importance, "signal_importance_valid"),
            models.CheckConstraint(
                condition=Q(deal_stage="") | Q(deal_stage__in=DealStage.values),
                name="signal_deal_stage_valid",
            ),
            non_negative("opportunity_value", "signal_opportunity_value_non_negative"),
            non_negative("account_arr", "signal_account_arr_non_negative"),
            models.CheckConstraint(condition=~Q(verbatim=""), name="signal_verbatim_not_empty"),
        ]
        indexes = [
            models.Index(fields=["idea", "heard_on"]),
            models.Index(fields=["heard_on"]),
            models.Index(
                # Unrouted signals oldest first (the review queue), counted from the index.
                fields=["created_at", "id"],
                include=["captured_by", "account_segment"],
                condition=Q(idea__isnull=True),
                name="signal_unrouted_cover",
            ),
        ]

    def __str__(self) -> str:
        return self.summary or self.verbatim[:80]

    def take_account_snapshot(self) -> None:
        """Copy the account's ARR, plan, segment, region and lifecycle as they stand now."""
        account = self.account
        self.account_arr = account.arr if account else None
        self.account_plan = account.plan if account else ""
        self.account_segment = account.segment if account else ""
        self.account_region = account.region if account else ""
        self.account_lifecycle = account.lifecycle if account else ""


class StatusChange(models.Model):
    """One entry on an idea's timeline: a decision or other PM action, with who and when.

    A change into a decision status also freezes the evidence and score as they stood
    (`evidence`), the decision record.
    """

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="status_changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(
        max_length=16, choices=ActivityKind.choices, default=ActivityKind.STATUS
    )
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    explanation = models.TextField(blank=True, help_text="Shown publicly when the idea is public.")
    is_public = models.BooleanField(
        default=True, help_text="Shown on the public timeline of a public idea."
    )
    evidence = models.JSONField(
        null=True, blank=True, help_text="Evidence and score frozen at a decision."
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            choices_check("kind", ActivityKind, "status_change_kind_valid"),
            models.CheckConstraint(
                condition=Q(from_status="") | Q(from_status__in=Status.values),
                name="status_change_from_valid",
            ),
            models.CheckConstraint(
                condition=Q(to_status="") | Q(to_status__in=Status.values),
                name="status_change_to_valid",
            ),
        ]
        indexes = [models.Index(fields=["idea", "created_at"])]

    def __str__(self) -> str:
        return f"{self.idea}: {self.get_kind_display()}"


class Subscription(models.Model):
    """Who hears about an idea, and why. `active` is false once they unfollow."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="subscriptions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    reason = models.CharField(max_length=16, choices=SubscriptionReason.choices)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "idea"], name="subscription_unique_per_user"),
            choices_check("reason", SubscriptionReason, "subscription_reason_valid"),
        ]
        indexes = [models.Index(fields=["idea", "active"])]

    def __str__(self) -> str:
        return f"{self.user} follows {self.idea}"


class Throttle(models.Model):
    """A fixed-window counter for abuse limits, shared by every app server through PostgreSQL."""

    key = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="throttle_key_window")
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start:%Y-%m-%d %H:%M}: {self.count}"


class ScoringWeights(models.Model):
    """How much each kind of evidence counts in the priority score; PMs edit it.

    One row (pk 1). The score is the sum of weight × component; see docs/scoring.md.
    """

    voters = models.FloatField(default=1.0, help_text="× ln(1 + voters)")
    accounts = models.FloatField(default=2.0, help_text="× ln(1 + distinct accounts)")
    arr = models.FloatField(default=1.5, help_text="× ln(1 + ARR of those accounts / 10k)")
    pipeline = models.FloatField(
        default=1.0, help_text="× ln(1 + open pipeline weighted by win probability / 10k)"
    )
    revenue_at_risk = models.FloatField(
        default=1.5, help_text="× ln(1 + ARR of accounts at risk or lost / 10k)"
    )
    deal_breakers = models.FloatField(default=2.0, help_text="× ln(1 + deal-breakers)")
    momentum = models.FloatField(
        default=1.0, help_text="× ln((1 + last 30 days) / (1 + the 30 before))"
    )
    strength = models.FloatField(default=3.0, help_text="× evidence strength, 0 to 1")
    strategic_fit = models.FloatField(default=1.0, help_text="× strategic fit, 0 to 5")
    effort = models.FloatField(default=1.0, help_text="× −ln(1 + effort in person-weeks)")
    win_probability_prospect = models.FloatField(
        default=0.1, help_text="Chance a deal at the prospect stage closes."
    )
    win_probability_open = models.FloatField(default=0.3, help_text="Chance an open deal closes.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    WEIGHT_FIELDS = (
        "voters",
        "accounts",
        "arr",
        "pipeline",
        "revenue_at_risk",
        "deal_breakers",
        "momentum",
        "strength",
        "strategic_fit",
        "effort",
    )

    class Meta:
        verbose_name_plural = "scoring weights"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="scoring_weights_single_row"),
            models.CheckConstraint(
                condition=Q(win_probability_prospect__gte=0, win_probability_prospect__lte=1)
                & Q(win_probability_open__gte=0, win_probability_open__lte=1),
                name="scoring_weights_probabilities",
            ),
        ]

    def __str__(self) -> str:
        return "Scoring weights"

    @classmethod
    def load(cls) -> "ScoringWeights":
        weights, _ = cls.objects.get_or_create(pk=1)
        return weights


class EvidenceFigures(models.Model):
    """The columns of the evidence views: evidence and priority score per idea.

    The part_* columns are weight × component and add up to `score`.
    """

    voters = models.IntegerField()
    accounts = models.IntegerField()
    arr = models.DecimalField(max_digits=16, decimal_places=2)
    signals = models.IntegerField()
    deal_breakers = models.IntegerField()
    open_deals = models.IntegerField()
    open_deal_value = models.DecimalField(max_digits=16, decimal_places=2)
    pipeline = models.DecimalField(max_digits=16, decimal_places=2)
    revenue_at_risk = models.DecimalField(max_digits=16, decimal_places=2)
    recent = models.IntegerField(help_text="Votes and signals in the last 30 days.")
    previous = models.IntegerField(help_text="Votes and signals in the 30 days before.")
    roles = models.IntegerField()
    sources = models.IntegerField()
    last_evidence_at = models.DateTimeField(null=True)
    strength = models.FloatField()
    momentum = models.FloatField()
    part_voters = models.FloatField()
    part_accounts = models.FloatField()
    part_arr = models.FloatField()
    part_pipeline = models.FloatField()
    part_revenue_at_risk = models.FloatField()
    part_deal_breakers = models.FloatField()
    part_momentum = models.FloatField()
    part_strength = models.FloatField()
    part_strategic_fit = models.FloatField()
    part_effort = models.FloatField()
    score = models.FloatField()

    PARTS = (
        ("part_voters", "Voters"),
        ("part_accounts", "Accounts"),
        ("part_arr", "ARR"),
        ("part_pipeline", "Pipeline"),
        ("part_revenue_at_risk", "Revenue at risk"),
        ("part_deal_breakers", "Deal-breakers"),
        ("part_momentum", "Momentum"),
        ("part_strength", "Evidence strength"),
        ("part_strategic_fit", "Strategic fit"),
        ("part_effort", "Effort"),
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"Evidence for idea {self.idea_id}: {self.score:.2f}"

    def breakdown(self) -> list[tuple[str, float]]:
        """(label, points) for each part of the score; they sum to `score`."""
        return [(label, getattr(self, name)) for name, label in self.PARTS]

    def snapshot(self) -> dict:
        """The figures as plain JSON, frozen into a decision record."""
        data = {}
        for field in self._meta.concrete_fields:
            if field.name == "idea":
                continue
            value = getattr(self, field.attname)
            if isinstance(value, Decimal):
                value = str(value)
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            data[field.name] = value
        return data


class IdeaEvidence(EvidenceFigures):
    """Evidence and priority score per idea, computed by the `ideas_idea_evidence` view.

    Read-only: PostgreSQL aggregates votes, signals and accounts whenever it is queried, so
    it is always current.
    """

    idea = models.OneToOneField(
        Idea,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        related_name="evidence",
        db_column="idea_id",
    )

    class Meta:
        managed = False
        db_table = "ideas_idea_evidence"
        verbose_name_plural = "idea evidence"


class IdeaEvidenceSnapshot(EvidenceFigures):
    """The same figures, as they stood at `refreshed_at`: a materialised copy of the view.

    The board of a large installation ranks by it (computing every idea's evidence per
    request takes seconds at 100,000 ideas); the worker refreshes it (ideas/evidence.py).
    """

    idea = models.OneToOneField(
        Idea,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        related_name="evidence_snapshot",
        db_column="idea_id",
    )
    refreshed_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "ideas_idea_evidence_snapshot"
        verbose_name_plural = "idea evidence snapshots"


class ReleaseNote(models.Model):
    """A changelog entry: what shipped, in the PM's words, linked to the shipped ideas."""

    title = models.CharField(max_length=140)
    slug = models.SlugField(max_length=80)
    body = models.TextField(help_text="Markdown.")
    ideas = models.ManyToManyField(Idea, blank=True, related_name="release_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        constraints = [models.CheckConstraint(condition=~Q(title=""), name="release_note_title")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ideas:release_note", kwargs={"pk": self.pk, "slug": self.slug or "note"})


class Notification(models.Model):
    """Something a person should hear about: shown in the app, emailed by the worker
    (at once or in a daily digest, as the person chose)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    idea = models.ForeignKey(
        Idea, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    release_note = models.ForeignKey(
        ReleaseNote, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    message = models.CharField(max_length=500)
    # What the email needs beyond the idea: new status, explanation, merge target...
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set when a worker claims the row for sending, so a retried job never emails it twice.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            choices_check("kind", NotificationKind, "notification_kind_valid"),
            models.CheckConstraint(
                condition=Q(idea__isnull=False) | Q(release_note__isnull=False),
                name="notification_about_something",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(emailed_at__isnull=True),
                name="notification_unsent",
            ),
        ]

    def __str__(self) -> str:
        return self.message


class LexemeStat(models.Model):
    """How many ideas use a search lexeme: similar-idea ranking weighs rare words higher.

    A cache of ts_stat() over Idea.search_vector, kept current by ideas.similarity.
    """

    # "C" collation so that prefix lookups (lexeme LIKE 'expo%') can use the primary key.
    lexeme = models.TextField(primary_key=True, db_collation="C")
    ideas = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.lexeme} ({self.ideas})"


class LexemeStatCoverage(models.Model):
    """The one row saying which ideas LexemeStat counts: those up to `last_idea_id`."""

    last_idea_id = models.BigIntegerField(default=0)
    ideas = models.PositiveIntegerField(default=0)
    # Distinct lexemes summed over those ideas: their mean is BM25's average length.
    lexemes = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="lexeme_stat_coverage_single_row")
        ]

    def __str__(self) -> str:
        return f"Lexeme statistics over {self.ideas} ideas (up to #{self.last_idea_id})"


# Webhooks: other systems hear about ideas and signals (see ideas/webhooks.py).


def webhook_secret() -> str:
    """A fresh signing secret for a webhook."""
    return secrets.token_urlsafe(32)


class Webhook(models.Model):
    """A URL that receives signed JSON when the chosen events happen."""

    url = models.URLField("URL", max_length=2000, help_text="http(s) only.")
    events = ArrayField(
        models.CharField(max_length=32, choices=WebhookEvent.choices),
        help_text="What this URL hears about.",
    )
    secret = models.CharField(
        max_length=100,
        default=webhook_secret,
        editable=False,
        help_text="Signs every delivery (HMAC-SHA256); the receiver checks it.",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["url", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(events__len__gte=1)
                & Q(events__contained_by=[event.value for event in SUBSCRIBABLE_WEBHOOK_EVENTS]),
                name="webhook_events_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event sent (or being sent) to one webhook: the log an admin reads."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=32, choices=WebhookEvent.choices)
    uuid = models.UUIDField(
        "delivery id",
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="Sent as X-Lode-Delivery, so receivers can drop a delivery they already had.",
    )
    payload = models.JSONField(help_text="The event's data, as sent under “data”.")
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    last_error = models.CharField(max_length=1000, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            choices_check("event", WebhookEvent, "webhook_delivery_event_valid"),
            choices_check("status", DeliveryStatus, "webhook_delivery_status_valid"),
        ]
        indexes = [
            models.Index(fields=["webhook", "-created_at"], name="webhook_delivery_latest"),
            models.Index(fields=["status", "created_at"], name="webhook_delivery_status"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook}"


class DigestDelivery(models.Model):
    """One weekly insights digest sent to one person: the row that makes sending idempotent."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_deliveries"
    )
    week = models.DateField(help_text="The Monday of the week the digest covers.")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-week", "user"]
        verbose_name_plural = "digest deliveries"
        constraints = [
            models.UniqueConstraint(fields=["user", "week"], name="digest_delivery_once_per_week")
        ]

    def __str__(self) -> str:
        return f"Insights digest for {self.user}, week of {self.week:%Y-%m-%d}"
