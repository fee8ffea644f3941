"""Django admin for Lode's domain: an operator's tool for fixing data, not the PM's workflow.

Every changelist selects its foreign keys in the same query, so a page of 100 rows costs
the same number of queries as a page of 3.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from ideas import importers, services, webhooks
from ideas.choices import SUBSCRIBABLE_WEBHOOK_EVENTS, DeliveryStatus, Segment
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
    Webhook,
    WebhookDelivery,
    webhook_secret,
)

if TYPE_CHECKING:
    from django.forms import ModelForm
    from django.http import HttpRequest, HttpResponse


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


# --- Integrations: webhooks and CSV imports ---------------------------------------------------


class WebhookForm(forms.ModelForm):
    """Events as checkboxes; the URL is checked (scheme, resolved address) before saving."""

    events = forms.MultipleChoiceField(
        choices=[(event.value, event.label) for event in SUBSCRIBABLE_WEBHOOK_EVENTS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event."},
    )

    class Meta:
        model = Webhook
        fields = ("url", "events", "active")

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            webhooks.validate_webhook_url(url)
        except (webhooks.UnsafeURL, webhooks.UnreachableHost) as error:
            raise forms.ValidationError(str(error)) from None
        return url


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ("url", "event_list", "active", "last_delivery", "created_at")
    list_filter = ("active",)
    search_fields = ("url",)
    readonly_fields = ("secret", "deliveries_link", "created_at")
    actions = ("send_ping", "rotate_secret")

    def get_fields(self, request: HttpRequest, obj: Webhook | None = None) -> tuple:
        # The secret exists once the webhook is saved; from then on it is shown, never edited.
        if obj is None:
            return ("url", "events", "active")
        return ("url", "events", "active", "secret", "deliveries_link", "created_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Webhook]:
        latest = WebhookDelivery.objects.filter(webhook=OuterRef("pk")).order_by(
            "-created_at", "-pk"
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                last_status=Subquery(latest.values("status")[:1]),
                last_code=Subquery(latest.values("response_code")[:1]),
            )
        )

    @admin.display(description="events")
    def event_list(self, webhook: Webhook) -> str:
        return ", ".join(webhook.events)

    @admin.display(description="last delivery", ordering="last_status")
    def last_delivery(self, webhook: Webhook) -> str:
        if not webhook.last_status:
            return "—"
        label = DeliveryStatus(webhook.last_status).label
        return f"{label} ({webhook.last_code})" if webhook.last_code else label

    @admin.display(description="deliveries")
    def deliveries_link(self, webhook: Webhook) -> str:
        url = reverse("admin:ideas_webhookdelivery_changelist")
        return format_html(
            '<a href="{}?webhook__id__exact={}">The delivery log</a>', url, webhook.pk
        )

    @admin.action(description="Send test ping")
    def send_ping(self, request: HttpRequest, queryset: QuerySet[Webhook]) -> None:
        active = queryset.filter(active=True)
        count = active.count()
        webhooks.ping(active)
        message = f"Ping queued for {count} webhook{'s' if count != 1 else ''}"
        skipped = queryset.count() - count
        if skipped:
            message += f"; {skipped} switched off, not pinged"
        self.message_user(request, message + ". The worker sends it: see the delivery log.")

    @admin.action(description="Rotate secret (receivers must be given the new one)")
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[Webhook]) -> None:
        for webhook in queryset:
            webhook.secret = webhook_secret()
            webhook.save(update_fields=["secret"])
        self.message_user(request, f"New secrets for {queryset.count()} webhook(s).")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: read-only; failed or pending deliveries can be sent again."""

    list_display = (
        "event",
        "webhook",
        "status",
        "response_code",
        "attempts",
        "created_at",
        "delivered_at",
        "next_attempt_at",
    )
    list_filter = ("status", "event", ("webhook", admin.RelatedOnlyFieldListFilter), "created_at")
    list_select_related = ("webhook",)
    search_fields = ("webhook__url", "last_error")
    date_hierarchy = "created_at"
    actions = ("retry",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: WebhookDelivery | None = None
    ) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("ideas.change_webhook")

    @admin.action(description="Retry now", permissions=["retry"])
    def retry(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        count = webhooks.retry(queryset)
        skipped = queryset.count() - count
        message = f"Queued {count} deliver{'ies' if count != 1 else 'y'} to be sent again"
        if skipped:
            message += f"; {skipped} already succeeded and will not be sent twice"
        self.message_user(request, message + ".")


class CsvImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="UTF-8, with a header row.")
    mapping = forms.CharField(
        label="Column mapping",
        required=False,
        help_text="Only for columns not named like a field: “Account Name=name, ARR (USD)=arr”.",
    )
    delimiter = forms.ChoiceField(
        choices=[("", "Detect"), (",", "Comma"), (";", "Semicolon"), ("\t", "Tab"), ("|", "Pipe")],
        required=False,
    )
    dry_run = forms.BooleanField(
        label="Dry run: check every row and show what would happen, save nothing",
        required=False,
        initial=True,
    )

    MAX_BYTES = 10 * 1024 * 1024

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file is over 10 MB: import it with the command.")
        return upload


class CsvImportMixin:
    """An "Import CSV" page on a changelist, running the same importer as the commands."""

    import_kind = ""
    change_list_template = "admin/ideas/csv_import_change_list.html"

    def get_urls(self) -> list:
        opts = self.model._meta
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_csv),
                name=f"{opts.app_label}_{opts.model_name}_import",
            ),
            *super().get_urls(),
        ]

    def import_csv(self, request: HttpRequest) -> HttpResponse:
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        report, problem = None, ""
        form = CsvImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            importer = importers.importer_for(self.import_kind, user=request.user)
            try:
                report = importer.run(
                    form.cleaned_data["file"].read(),
                    mapping=importers.parse_mapping(form.cleaned_data["mapping"]),
                    delimiter=form.cleaned_data["delimiter"] or None,
                    dry_run=form.cleaned_data["dry_run"],
                )
            except importers.ImportFileError as error:
                problem = str(error)
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": f"Import {opts.verbose_name_plural} from CSV",
            "form": form,
            "report": report,
            "problem": problem,
            "fields": importers.describe_fields(self.import_kind),
        }
        return TemplateResponse(request, "admin/ideas/csv_import.html", context)


# Re-registered with the import page, so the classes above stay as their authors wrote them.
admin.site.unregister(Account)
admin.site.unregister(Idea)


@admin.register(Account)
class AccountImportAdmin(CsvImportMixin, AccountAdmin):
    import_kind = "accounts"


@admin.register(Idea)
class IdeaImportAdmin(CsvImportMixin, IdeaAdmin):
    import_kind = "ideas"
