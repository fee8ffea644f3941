"""Django admin for Lode's domain: an operator's tool for fixing data, not the PM's workflow.

Every changelist selects its foreign keys in the same query, so a page of 100 rows costs
the same number of queries as a page of 3.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.utils.text import Truncator

from ideas import services
from ideas.choices import Segment
from ideas.models import (
    Account,
    Category,
    Comment,
    Idea,
    Signal,
    StatusChange,
    Subscription,
    Tag,
    Vote,
)

if TYPE_CHECKING:
    from django.forms import ModelForm
    from django.http import HttpRequest


def format_money(value: Decimal | None) -> str:
    """An amount in whole units with the portal's currency: "USD 120,000"."""
    if value is None:
        return "—"
    return f"{settings.LODE_CURRENCY} {value:,.0f}"


def excerpt(text: str, length: int = 60) -> str:
    """The first words of a long text, for a changelist column."""
    return Truncator(" ".join(text.split())).chars(length)


# --- Accounts and taxonomy -------------------------------------------------------------------


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "domain",
        "segment",
        "region",
        "plan",
        "arr_display",
        "lifecycle",
        "owner",
    )
    list_filter = ("segment", "region", "plan", "lifecycle")
    list_select_related = ("owner",)
    search_fields = ("name", "domain", "external_id")
    autocomplete_fields = ("owner",)
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "domain", "external_id", "owner")}),
        ("Firmographics", {"fields": ("segment", "region", "plan", "arr", "lifecycle")}),
        ("History", {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description="ARR", ordering="arr")
    def arr_display(self, account: Account) -> str:
        return format_money(account.arr)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position", "idea_total")
    list_display_links = ("name",)
    list_editable = ("position",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        return super().get_queryset(request).annotate(idea_total=Count("ideas"))

    @admin.display(description="ideas", ordering="idea_total")
    def idea_total(self, category: Category) -> int:
        return category.idea_total


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "idea_total")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        return super().get_queryset(request).annotate(idea_total=Count("ideas"))

    @admin.display(description="ideas", ordering="idea_total")
    def idea_total(self, tag: Tag) -> int:
        return tag.idea_total


# --- Ideas -----------------------------------------------------------------------------------


class CommentInline(admin.TabularInline):
    model = Comment
    fields = ("body", "author", "is_internal", "created_at", "edited_at")
    readonly_fields = ("created_at",)
    raw_id_fields = ("author",)
    extra = 0


class StatusChangeInline(admin.TabularInline):
    """The idea's timeline, read-only: it is the record of what was decided, by whom."""

    model = StatusChange
    fields = (
        "created_at",
        "kind",
        "from_status",
        "to_status",
        "actor",
        "explanation",
        "is_public",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[StatusChange]:
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request: HttpRequest, obj: Idea | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Idea | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Idea | None = None) -> bool:
        return False


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "status",
        "visibility",
        "category",
        "vote_count",
        "comment_count",
        "source",
        "owner",
        "created_at",
    )
    list_filter = (
        "status",
        "visibility",
        "category",
        "source",
        "tags",
        ("owner", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("category", "owner")
    search_fields = ("title", "body")
    date_hierarchy = "created_at"
    autocomplete_fields = (
        "author",
        "owner",
        "account",
        "merged_into",
        "public_response_by",
        "tags",
    )
    readonly_fields = ("vote_count", "comment_count", "search_vector", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("title", "slug", "body", "category", "tags")}),
        ("Origin", {"fields": ("source", "author", "account")}),
        (
            "Decision",
            {
                "description": (
                    "Changing status or visibility here does not add a timeline entry "
                    "or notify followers."
                ),
                "fields": (
                    "status",
                    "status_changed_at",
                    "visibility",
                    "owner",
                    ("effort", "strategic_fit"),
                    ("merged_into", "merged_at"),
                ),
            },
        ),
        (
            "Public response",
            {"fields": ("public_response", "public_response_by", "public_response_at")},
        ),
        (
            "Counters and search",
            {
                "classes": ("collapse",),
                "description": 'Fix wrong counters with the "Recount votes and comments" action.',
                "fields": (
                    ("vote_count", "comment_count"),
                    "search_vector",
                    ("created_at", "updated_at"),
                ),
            },
        ),
    )
    inlines = (CommentInline, StatusChangeInline)
    actions = ("recount",)

    @admin.action(description="Recount votes and comments")
    def recount(self, request: HttpRequest, queryset: QuerySet[Idea]) -> None:
        corrected = services.idea_recount_counters(queryset)
        if corrected:
            noun = "idea" if corrected == 1 else "ideas"
            self.message_user(
                request, f"Recounted votes and comments: corrected {corrected} {noun}."
            )
        else:
            self.message_user(
                request, "Recounted votes and comments: every counter was already right."
            )

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: list, change: bool
    ) -> None:
        """Comments added, deleted or made internal in the inline move comment_count."""
        super().save_related(request, form, formsets, change)
        services.idea_recount_counters(Idea.objects.filter(pk=form.instance.pk))


# --- What people did: votes, comments, subscriptions -----------------------------------------


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    """Votes are people's own actions: an operator may look, or delete spam, never forge."""

    list_display = ("user", "idea", "created_at")
    list_select_related = ("user", "idea")
    raw_id_fields = ("user", "idea")
    search_fields = ("user__email", "idea__title")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Vote | None = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Vote) -> None:
        super().delete_model(request, obj)
        services.idea_recount_counters(Idea.objects.filter(pk=obj.idea_id))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Vote]) -> None:
        idea_ids = list(queryset.values_list("idea_id", flat=True).distinct())
        super().delete_queryset(request, queryset)
        services.idea_recount_counters(Idea.objects.filter(pk__in=idea_ids))


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("short_body", "idea", "author", "is_internal", "created_at")
    list_filter = ("is_internal", "created_at")
    list_select_related = ("idea", "author")
    search_fields = ("body", "idea__title", "author__email", "author__name")
    raw_id_fields = ("idea", "author")
    readonly_fields = ("created_at",)
    date_hierarchy = "created_at"

    @admin.display(description="comment")
    def short_body(self, comment: Comment) -> str:
        return excerpt(comment.body)

    def save_model(
        self, request: HttpRequest, obj: Comment, form: ModelForm, change: bool
    ) -> None:
        """A comment moved to another idea, or made internal, moves comment_count."""
        old_idea_id = form.initial.get("idea") if change else None
        super().save_model(request, obj, form, change)
        services.idea_recount_counters(
            Idea.objects.filter(pk__in={obj.idea_id, old_idea_id} - {None})
        )

    def delete_model(self, request: HttpRequest, obj: Comment) -> None:
        super().delete_model(request, obj)
        services.idea_recount_counters(Idea.objects.filter(pk=obj.idea_id))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        idea_ids = list(queryset.values_list("idea_id", flat=True).distinct())
        super().delete_queryset(request, queryset)
        services.idea_recount_counters(Idea.objects.filter(pk__in=idea_ids))


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("user", "idea", "reason", "active", "created_at")
    list_filter = ("reason", "active")
    list_select_related = ("user", "idea")
    raw_id_fields = ("user", "idea")
    search_fields = ("user__email", "idea__title")
    readonly_fields = ("created_at",)


# --- Evidence and decisions ------------------------------------------------------------------


class SnapshotSegmentFilter(admin.SimpleListFilter):
    """The account's segment as it stood when the signal was heard (a plain text column)."""

    title = "account segment"
    parameter_name = "account_segment"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return Segment.choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Signal]) -> QuerySet[Signal]:
        if self.value():
            return queryset.filter(account_segment=self.value())
        return queryset


class RoutedFilter(admin.SimpleListFilter):
    title = "routed to an idea"
    parameter_name = "routed"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", "Yes"), ("no", "No (waiting for triage)")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Signal]) -> QuerySet[Signal]:
        if self.value() in {"yes", "no"}:
            return queryset.filter(idea__isnull=self.value() == "no")
        return queryset


SNAPSHOT_FIELDS = ("account_arr", "account_plan", "account_segment", "account_region")


@admin.register(Signal)
class SignalAdmin(admin.ModelAdmin):
    list_display = (
        "headline",
        "account",
        "kind",
        "importance",
        "deal_stage",
        "opportunity_display",
        "heard_on",
        "idea",
        "captured_by",
    )
    list_filter = (
        "kind",
        "source",
        "importance",
        "deal_stage",
        SnapshotSegmentFilter,
        RoutedFilter,
        "heard_on",
    )
    list_select_related = ("account", "idea", "captured_by")
    search_fields = (
        "verbatim",
        "summary",
        "account__name",
        "contact_name",
        "competitor",
    )
    autocomplete_fields = ("account", "idea", "captured_by", "routed_by")
    date_hierarchy = "heard_on"
    readonly_fields = (*SNAPSHOT_FIELDS, "account_lifecycle", "created_at")
    fieldsets = (
        ("Who", {"fields": ("captured_by", "account", ("contact_name", "contact_role"))}),
        ("What", {"fields": ("verbatim", "summary", "kind", "competitor")}),
        ("Where and when", {"fields": ("source", "heard_on", "created_at")}),
        ("Stakes", {"fields": ("importance", "opportunity_value", "deal_stage")}),
        ("Routing", {"fields": ("idea", "proposed_title", "routed_at", "routed_by")}),
        (
            "Account snapshot",
            {
                "description": (
                    "The account as it stood when the signal was recorded; taken again "
                    "when the account is changed here."
                ),
                "fields": (*SNAPSHOT_FIELDS, "account_lifecycle"),
            },
        ),
    )

    @admin.display(description="signal")
    def headline(self, signal: Signal) -> str:
        return excerpt(signal.summary or signal.verbatim)

    @admin.display(description="opportunity", ordering="opportunity_value")
    def opportunity_display(self, signal: Signal) -> str:
        return format_money(signal.opportunity_value)

    def save_model(self, request: HttpRequest, obj: Signal, form: ModelForm, change: bool) -> None:
        """Snapshot the account on creation or re-assignment, so trends keep today's truth."""
        if not change or "account" in form.changed_data:
            obj.take_account_snapshot()
        super().save_model(request, obj, form, change)


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    """The decision record: readable, never editable (deletable only so ideas can be deleted)."""

    list_display = ("idea", "kind", "transition", "actor", "is_public", "created_at")
    list_filter = ("kind", "to_status", "is_public", "created_at")
    list_select_related = ("idea", "actor")
    search_fields = ("idea__title", "explanation", "actor__email")
    date_hierarchy = "created_at"

    @admin.display(description="from → to")
    def transition(self, change: StatusChange) -> str:
        if not (change.from_status or change.to_status):
            return "—"
        return (
            f"{change.get_from_status_display() or '—'} → {change.get_to_status_display() or '—'}"
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: StatusChange | None = None) -> bool:
        return False
