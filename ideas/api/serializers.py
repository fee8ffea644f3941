"""What the API shows, by role, and what it accepts.

Output: a public serializer per model, and for ideas a second one with the evidence fields
that only `permissions.can_see_evidence` people ever get; the view picks one, so a customer's
response never even computes them.

Input: fields declare types and limits (read from the pages' forms, not copied), then the
pages' own form validates and normalises, so the API and the pages accept the same things.
Serializers never save: the views hand the validated data to ideas/services.py.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import DomainNameValidator
from django.db import models
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ideas import permissions, queries
from ideas.choices import (
    DealStage,
    Importance,
    Lifecycle,
    Plan,
    Region,
    Segment,
    SignalKind,
    Source,
    Status,
)
from ideas.forms import (
    CommentForm,
    IdeaForm,
    SignalForm,
    StatusForm,
    reject_control_characters,
)
from ideas.models import Account, Category, Comment, Idea, IdeaEvidence, Signal

# Ids in query strings and bodies: a bigger number than PostgreSQL's bigint is a 400, not a 500.
ID_LIMITS = {"min_value": 1, "max_value": 2**63 - 1}

# --- Shared helpers: the forms' limits and rules, applied to API input. -----------------------


def form_limits(form_class: type[forms.Form], name: str) -> dict[str, int]:
    """max_length/min_length of a form field, for the serializer field (and the schema)."""
    field = form_class.base_fields[name]
    return {
        key: value
        for key in ("max_length", "min_length")
        if (value := getattr(field, key, None)) is not None
    }


def model_limits(model: type[models.Model], name: str) -> dict[str, int]:
    """max_length of a model field, for fields no form covers."""
    return {"max_length": model._meta.get_field(name).max_length}


def validate_with_form(
    form_class: type[forms.Form],
    data: dict[str, Any],
    *,
    rename: dict[str, str] | None = None,
    **form_kwargs: Any,
) -> dict[str, Any]:
    """Bind the pages' form to API input and return its cleaned data, or raise its errors
    (renamed to the API's field names) as a 400."""
    form = form_class(data={k: v for k, v in data.items() if v is not None}, **form_kwargs)
    if form.is_valid():
        return form.cleaned_data
    errors: dict[str, list[str]] = {}
    for name, messages in form.errors.items():
        key = (rename or {}).get(name, name)
        errors.setdefault("non_field_errors" if key == "__all__" else key, []).extend(messages)
    raise serializers.ValidationError(errors)


class Text(serializers.CharField):
    """A CharField that takes strings only: a JSON number or boolean is a type error."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def single_line(value: str) -> str:
    """The forms' rule for one-line text: no control characters, whitespace collapsed."""
    try:
        reject_control_characters(value, allow_newlines=False)
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.messages) from None
    return " ".join(value.split())


# --- Output ----------------------------------------------------------------------------------


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "slug", "name", "description"]


class CategoryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "slug", "name"]


class PersonSerializer(serializers.Serializer):
    """A person as the pages show them: a display name, never an email address."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)


class AccountRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Account
        fields = ["id", "name", "external_id"]


class IdeaSerializer(serializers.ModelSerializer):
    """An idea as the public forum shows it."""

    category = CategoryRefSerializer(read_only=True, allow_null=True)
    author = serializers.SerializerMethodField()
    has_voted = serializers.BooleanField(read_only=True, help_text="Whether you voted for it.")
    merged_into = serializers.SerializerMethodField(
        help_text="The idea this one was merged into (votes and comments live there now), "
        "when you may see it; null otherwise."
    )
    url = serializers.SerializerMethodField(help_text="The idea's page on the forum.")

    class Meta:
        model = Idea
        fields = [
            "id",
            "title",
            "slug",
            "body",
            "category",
            "status",
            "visibility",
            "author",
            "vote_count",
            "comment_count",
            "has_voted",
            "public_response",
            "public_response_at",
            "status_changed_at",
            "created_at",
            "updated_at",
            "merged_into",
            "merged_at",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_author(self, idea: Idea) -> str | None:
        return idea.author.display_name if idea.author else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_merged_into(self, idea: Idea) -> int | None:
        if idea.merged_into_id is None:
            return None
        user = self.context["request"].user
        return idea.merged_into_id if permissions.can_view_idea(user, idea.merged_into) else None

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, idea: Idea) -> str:
        return self.context["request"].build_absolute_uri(idea.get_absolute_url())


class EvidenceSerializer(serializers.ModelSerializer):
    """The idea's evidence and priority score (see docs/scoring.md)."""

    class Meta:
        model = IdeaEvidence
        fields = [
            "voters",
            "accounts",
            "arr",
            "signals",
            "deal_breakers",
            "open_deals",
            "open_deal_value",
            "pipeline",
            "revenue_at_risk",
            "recent",
            "previous",
            "momentum",
            "strength",
            "last_evidence_at",
            "score",
        ]
        read_only_fields = fields


class IdeaWithEvidenceSerializer(IdeaSerializer):
    """An idea for the company's people: the forum's fields plus source, account, owner,
    the PM's inputs and the evidence."""

    account = AccountRefSerializer(read_only=True, allow_null=True)
    owner = PersonSerializer(read_only=True, allow_null=True)
    evidence = serializers.SerializerMethodField()

    class Meta(IdeaSerializer.Meta):
        fields = [
            *IdeaSerializer.Meta.fields,
            "source",
            "account",
            "owner",
            "effort",
            "strategic_fit",
            "evidence",
        ]
        read_only_fields = fields

    @extend_schema_field(EvidenceSerializer(allow_null=True))
    def get_evidence(self, idea: Idea) -> dict | None:
        try:
            figures = idea.evidence
        except IdeaEvidence.DoesNotExist:
            return None
        return EvidenceSerializer(figures).data


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    is_team = serializers.SerializerMethodField(help_text="Written by the company's people.")

    class Meta:
        model = Comment
        fields = ["id", "idea", "author", "is_team", "body", "is_internal", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_author(self, comment: Comment) -> str | None:
        return comment.author.display_name if comment.author else None

    def get_is_team(self, comment: Comment) -> bool:
        return bool(comment.author and comment.author.is_internal)


class SignalSerializer(serializers.ModelSerializer):
    captured_by = PersonSerializer(read_only=True, allow_null=True)
    account = AccountRefSerializer(read_only=True, allow_null=True)
    # Declared so the schema's enum admits "" (no deal): read-only model fields lose it.
    deal_stage = serializers.ChoiceField(
        choices=DealStage.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Signal
        fields = [
            "id",
            "captured_by",
            "account",
            "contact_name",
            "contact_role",
            "verbatim",
            "summary",
            "kind",
            "competitor",
            "source",
            "heard_on",
            "importance",
            "opportunity_value",
            "deal_stage",
            "account_arr",
            "account_plan",
            "account_segment",
            "account_region",
            "account_lifecycle",
            "idea",
            "proposed_title",
            "routed_at",
            "created_at",
        ]
        read_only_fields = fields


class AccountSerializer(serializers.ModelSerializer):
    owner = PersonSerializer(read_only=True, allow_null=True)
    # Declared so the schema's enums admit "" (unknown): read-only model fields lose it.
    segment = serializers.ChoiceField(choices=Segment.choices, allow_blank=True, read_only=True)
    region = serializers.ChoiceField(choices=Region.choices, allow_blank=True, read_only=True)
    plan = serializers.ChoiceField(choices=Plan.choices, allow_blank=True, read_only=True)
    signal_count = serializers.IntegerField(read_only=True)
    voter_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Account
        fields = [
            "id",
            "external_id",
            "name",
            "domain",
            "segment",
            "region",
            "plan",
            "arr",
            "lifecycle",
            "owner",
            "signal_count",
            "voter_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class VoteResultSerializer(serializers.Serializer):
    idea = serializers.IntegerField(help_text="The idea the vote counts for (merges followed).")
    vote_count = serializers.IntegerField()
    has_voted = serializers.BooleanField()


# --- Query parameters ------------------------------------------------------------------------


class IdeaFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text='Full-text search, web style: "exact phrase", -without, or. '
        "Results come best match first, whatever `sort` says.",
    )
    status = serializers.ChoiceField(choices=Status.choices, required=False, allow_blank=True)
    category = serializers.CharField(
        required=False, allow_blank=True, max_length=80, help_text="A category's slug."
    )
    sort = serializers.ChoiceField(choices=list(queries.SORTS), default="trending")


class SimilarFilterSerializer(serializers.Serializer):
    text = serializers.CharField(
        allow_blank=True,
        max_length=500,
        help_text="What the new idea says (its title, usually).",
    )
    limit = serializers.IntegerField(min_value=1, max_value=20, default=5)


class SignalFilterSerializer(serializers.Serializer):
    mine = serializers.BooleanField(
        required=False, default=False, help_text="Only the signals you captured."
    )
    idea = serializers.IntegerField(required=False, **ID_LIMITS)
    account = serializers.IntegerField(required=False, **ID_LIMITS)


class AccountFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Part of the name or email domain, or the exact CRM id.",
    )


# --- Input -----------------------------------------------------------------------------------


class IdeaCreateSerializer(serializers.Serializer):
    """A new idea, validated by the forum's IdeaForm. It is public, like the forum's."""

    title = Text(**form_limits(IdeaForm, "title"))
    body = Text(required=False, allow_blank=True, default="", **form_limits(IdeaForm, "body"))
    category = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.all(),
        required=False,
        allow_null=True,
        help_text="A category's slug.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        category = attrs.get("category")
        return validate_with_form(
            IdeaForm,
            {"title": attrs["title"], "body": attrs["body"], "category": category and category.pk},
        )


class StatusUpdateSerializer(serializers.Serializer):
    """A PM's decision, validated by the triage page's StatusForm."""

    status = serializers.ChoiceField(choices=Status.choices)
    explanation = Text(
        required=False,
        allow_blank=True,
        default="",
        help_text="Public; required to decline.",
        **form_limits(StatusForm, "explanation"),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return validate_with_form(StatusForm, attrs)


class CommentCreateSerializer(serializers.Serializer):
    """A comment, validated by the idea page's CommentForm."""

    body = Text(**form_limits(CommentForm, "body"))
    is_internal = serializers.BooleanField(
        default=False, help_text="A private note: for the company's people only."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return validate_with_form(CommentForm, attrs)


class SignalCreateSerializer(serializers.Serializer):
    """A signal, validated by the capture page's SignalForm. The account is given by id, by
    CRM id (`account_external_id`), or created as a prospect (`new_account_*`)."""

    account = serializers.IntegerField(required=False, allow_null=True, **ID_LIMITS)
    account_external_id = Text(
        required=False, allow_blank=True, **model_limits(Account, "external_id")
    )
    new_account_name = Text(
        required=False, allow_blank=True, **form_limits(SignalForm, "new_account_name")
    )
    new_account_segment = serializers.ChoiceField(
        choices=Segment.choices, required=False, allow_blank=True
    )
    new_account_region = serializers.ChoiceField(
        choices=Region.choices, required=False, allow_blank=True
    )
    contact_name = Text(
        required=False, allow_blank=True, **form_limits(SignalForm, "contact_name")
    )
    contact_role = Text(
        required=False, allow_blank=True, **form_limits(SignalForm, "contact_role")
    )
    verbatim = Text(help_text="The customer's own words.", **form_limits(SignalForm, "verbatim"))
    summary = Text(required=False, allow_blank=True, **form_limits(SignalForm, "summary"))
    kind = serializers.ChoiceField(choices=SignalKind.choices, default=SignalKind.FEATURE_REQUEST)
    competitor = Text(
        required=False,
        allow_blank=True,
        help_text="Required when kind is competitor.",
        **form_limits(SignalForm, "competitor"),
    )
    source = serializers.ChoiceField(choices=Source.choices, default=Source.MEETING)
    heard_on = serializers.DateField(
        default=timezone.localdate, help_text="When it was said; today when left out."
    )
    importance = serializers.ChoiceField(choices=Importance.choices, default=Importance.IMPORTANT)
    opportunity_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    deal_stage = serializers.ChoiceField(
        choices=DealStage.choices, required=False, allow_blank=True, default=""
    )
    idea = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="An idea you can see, to route the signal to at once.",
        **ID_LIMITS,
    )
    proposed_title = Text(
        required=False, allow_blank=True, **form_limits(SignalForm, "proposed_title")
    )

    def validate_account_external_id(self, value: str) -> str:
        return single_line(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        external_id = attrs.pop("account_external_id", "")
        if external_id:
            if attrs.get("account"):
                raise serializers.ValidationError(
                    {"account_external_id": ["Give the account or its CRM id, not both."]}
                )
            account = Account.objects.filter(external_id=external_id).first()
            if account is None:
                raise serializers.ValidationError(
                    {"account_external_id": [f"No account has the CRM id {external_id}."]}
                )
            attrs["account"] = account.pk
        data = validate_with_form(
            SignalForm,
            attrs,
            rename={"account_query": "account"},
            user=self.context["request"].user,
        )
        prospect = None
        if data["new_account_name"]:
            prospect = {
                "name": data["new_account_name"],
                "segment": data["new_account_segment"],
                "region": data["new_account_region"],
            }
        return {
            "account": data["account"],
            "prospect": prospect,
            **{
                name: data[name]
                for name in (
                    "verbatim",
                    "summary",
                    "contact_name",
                    "contact_role",
                    "kind",
                    "competitor",
                    "source",
                    "heard_on",
                    "importance",
                    "opportunity_value",
                    "deal_stage",
                    "idea",
                    "proposed_title",
                )
            },
        }


class AccountUpsertSerializer(serializers.Serializer):
    """An account from the CRM. Fields left out keep their value (a new account gets the
    defaults: lifecycle prospect, ARR 0)."""

    name = Text(**model_limits(Account, "name"))
    domain = Text(
        required=False,
        allow_blank=True,
        validators=[DomainNameValidator()],
        help_text="Email domain; customers who verify an address there join the account.",
        **model_limits(Account, "domain"),
    )
    segment = serializers.ChoiceField(choices=Segment.choices, required=False, allow_blank=True)
    region = serializers.ChoiceField(choices=Region.choices, required=False, allow_blank=True)
    plan = serializers.ChoiceField(choices=Plan.choices, required=False, allow_blank=True)
    arr = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, help_text="ARR, ≥ 0."
    )
    lifecycle = serializers.ChoiceField(choices=Lifecycle.choices, required=False)

    def validate_name(self, value: str) -> str:
        return single_line(value)

    def validate_domain(self, value: str) -> str:
        return single_line(value).lower()


class ExternalIdSerializer(serializers.Serializer):
    """The CRM id in an account's URL."""

    external_id = Text(**model_limits(Account, "external_id"))

    def validate_external_id(self, value: str) -> str:
        return single_line(value)
