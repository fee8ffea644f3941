"""The prioritised board: open ideas ranked by their evidence, bulk triage on selected rows,
the same rows as CSV, and the page where PMs tune the scoring weights."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ideas import evidence, services
from ideas.choices import OPEN_STATUSES, Plan, Region, Segment, Status
from ideas.models import (
    Category,
    Idea,
    IdeaEvidence,
    IdeaEvidenceSnapshot,
    ScoringWeights,
    Signal,
    Tag,
    Vote,
)
from ideas.permissions import can_triage, require_role
from ideas.views.forum import safe_next
from portal.models import TRIAGE_ROLES, User

PAGE_SIZE = 50
NEWER_SHOWN = 10
NEWER_MARGIN = dt.timedelta(minutes=10)
# How many per-idea errors a bulk action lists before summing up the rest.
MAX_ERROR_MESSAGES = 10


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    order_by: str | None = None  # the field to sort on; None when not sortable
    numeric: bool = True


COLUMNS = (
    Column("title", "Idea", "title", numeric=False),
    Column("status", "Status", numeric=False),
    Column("category", "Category", numeric=False),
    Column("owner", "Owner", numeric=False),
    Column("voters", "Voters", "evidence__voters"),
    Column("accounts", "Accounts", "evidence__accounts"),
    Column("arr", "ARR", "evidence__arr"),
    Column("pipeline", "Pipeline", "evidence__pipeline"),
    Column("revenue_at_risk", "Revenue at risk", "evidence__revenue_at_risk"),
    Column("deal_breakers", "Deal-breakers", "evidence__deal_breakers"),
    Column("momentum", "Momentum", "evidence__momentum"),
    Column("strength", "Evidence strength", "evidence__strength"),
    Column("effort", "Effort", "effort"),
    Column("fit", "Fit", "strategic_fit"),
    Column("score", "Score", "evidence__score"),
)
SORTS = {column.key: column for column in COLUMNS if column.order_by}
DEFAULT_SORT = "score"
FILTERS = ("category", "status", "segment", "region", "plan")
ACCOUNT_FILTERS = {"segment": Segment, "region": Region, "plan": Plan}
OPEN_STATUS_CHOICES = [(value, label) for value, label in Status.choices if value in OPEN_STATUSES]


# Reads: the board's rows. They live beside the views that are their only users.


def parse_filters(params: QueryDict) -> dict[str, str]:
    """The board's filters from a query string; unknown values are ignored, not errors."""
    filters = {name: params.get(name, "").strip()[:80] for name in FILTERS}
    if filters["status"] not in OPEN_STATUSES:
        filters["status"] = ""
    for name, choices in ACCOUNT_FILTERS.items():
        if filters[name] not in choices.values:
            filters[name] = ""
    return filters


def parse_sort(params: QueryDict) -> tuple[str, str]:
    """(column, "asc" or "desc"), whitelisted; numbers sort biggest first unless asked."""
    sort = params.get("sort", DEFAULT_SORT)
    if sort not in SORTS:
        sort = DEFAULT_SORT
    direction = params.get("dir", "")
    if direction not in ("asc", "desc"):
        direction = "desc" if SORTS[sort].numeric else "asc"
    return sort, direction


def evidence_from_accounts(**account: str) -> Q:
    """Ideas with a signal from, or a vote by someone at, an account matching `account`.

    EXISTS rather than joins: an idea with many matching votes or signals stays one row.
    """
    conditions = {f"account__{name}": value for name, value in account.items()}
    signals = Signal.objects.filter(idea=OuterRef("pk"), **conditions)
    votes = Vote.objects.filter(
        idea=OuterRef("pk"), **{f"user__{name}": value for name, value in conditions.items()}
    )
    return Q(Exists(signals)) | Q(Exists(votes))


def board_rows(
    *,
    user: User,
    filters: dict[str, str],
    sort: str = DEFAULT_SORT,
    direction: str = "desc",
    source: str = evidence.LIVE,
    counted_only: bool = False,
) -> QuerySet[Idea]:
    """Open ideas with their evidence (live, or the snapshot: ideas/evidence.py), filtered
    and sorted, in a fixed number of queries. `counted_only` leaves out ideas newer than the
    snapshot: the board's page then walks an index of the snapshot instead of sorting every
    open idea."""
    ideas = open_ideas(user=user, filters=filters).select_related(source, "category", "owner")
    if counted_only:
        ideas = ideas.filter(**{f"{source}__isnull": False})
    column = SORTS[sort]
    field = F(column.order_by.replace("evidence__", f"{source}__", 1))
    # Ideas without effort or fit, or newer than the snapshot (no figures through the LEFT
    # JOIN), always go last, whichever way the column is sorted. Where no figure can be
    # missing (the live view, or only the snapshot's rows) evidence sorts plain ASC/DESC, as
    # the snapshot's indexes are built.
    figures_complete = source == evidence.LIVE or counted_only
    # OrderBy takes True or None (the database's default), never False.
    nulls_last = None if column.order_by.startswith("evidence__") and figures_complete else True
    primary = (
        field.asc(nulls_last=nulls_last)
        if direction == "asc"
        else field.desc(nulls_last=nulls_last)
    )
    score = F(f"{source}__score").desc(nulls_last=None if figures_complete else True)
    # Ties fall back to the score, then the id, so pages never overlap or skip a row.
    return ideas.order_by(primary, score, "pk")


def open_ideas(*, user: User, filters: dict[str, str]) -> QuerySet[Idea]:
    """The open ideas the board shows, filtered; without evidence or order."""
    ideas = (
        Idea.objects.visible_to(user)
        .listed()
        .filter(status__in=OPEN_STATUSES)
        .prefetch_related("tags")
        # Neither the board nor the CSV shows the body or the search vector: don't fetch them.
        .defer("body", "search_vector")
    )
    if filters.get("category"):
        ideas = ideas.filter(category__slug=filters["category"])
    if filters.get("status"):
        ideas = ideas.filter(status=filters["status"])
    # All account filters together describe one account: "an EMEA account on Enterprise".
    account = {name: filters[name] for name in ACCOUNT_FILTERS if filters.get(name)}
    if account:
        ideas = ideas.filter(evidence_from_accounts(**account))
    return ideas


def board_query(
    request: HttpRequest, *, page: bool = False
) -> tuple[dict[str, str], str, str, QuerySet[Idea], str]:
    """The board's filters, sort, rows and evidence source. The CSV (`page=False`) has every
    open idea, those newer than a snapshot last; the page ranks only the snapshot's rows
    (`counted_only`) and names the newer ones apart."""
    filters = parse_filters(request.GET)
    sort, direction = parse_sort(request.GET)
    source = evidence.board_source()
    rows = board_rows(
        user=request.user,
        filters=filters,
        sort=sort,
        direction=direction,
        source=source,
        counted_only=page and source == evidence.SNAPSHOT,
    )
    return filters, sort, direction, rows, source


def newer_than_snapshot(
    user: User, filters: dict[str, str], snapshot_at: dt.datetime | None
) -> list[Idea]:
    """Up to NEWER_SHOWN open ideas (filtered) that the snapshot has not counted yet."""
    ideas = open_ideas(user=user, filters=filters).filter(evidence_snapshot__isnull=True)
    if snapshot_at is not None:
        # Ideas committed after the refresh began; the margin covers slow transactions.
        ideas = ideas.filter(created_at__gte=snapshot_at - NEWER_MARGIN)
    return list(ideas.prefetch_related(None).order_by("-created_at", "-pk")[:NEWER_SHOWN])


def figures(idea: Idea, source: str) -> IdeaEvidence | IdeaEvidenceSnapshot | None:
    """The idea's evidence from `source`; None for an idea newer than the snapshot."""
    return getattr(idea, source, None)


def encode(params: dict[str, str]) -> str:
    return urlencode({name: value for name, value in params.items() if value})


def column_headers(filters: dict[str, str], sort: str, direction: str) -> list[dict[str, Any]]:
    """Each column's label, alignment, sort link (the other way round when it is the current
    sort) and aria-sort value."""
    headers = []
    for column in COLUMNS:
        header: dict[str, Any] = {"column": column, "url": None, "aria_sort": None}
        if column.order_by:
            if column.key == sort:
                header["aria_sort"] = "ascending" if direction == "asc" else "descending"
                next_direction = "desc" if direction == "asc" else "asc"
            else:
                next_direction = "desc" if column.numeric else "asc"
            header["url"] = "?" + encode({**filters, "sort": column.key, "dir": next_direction})
        headers.append(header)
    return headers


@require_role(can_triage)
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """Open ideas ranked by priority score, with filters, sorting and bulk actions."""
    filters, sort, direction, rows, source = board_query(request, page=True)
    # Queries: session, user, (the idea count estimate, or the snapshot's age,) COUNT, the
    # page's rows (with evidence, category and owner), their tags, (ideas newer than the
    # snapshot,) then categories, owners and tags for the forms: the same for any page size.
    snapshot_at, newer = None, []
    paginator = Paginator(rows, PAGE_SIZE)
    if source == evidence.SNAPSHOT:
        snapshot_at = evidence.refreshed_at()
        if evidence.is_stale(snapshot_at):
            evidence.request_refresh()
        # Counted without the snapshot's join: open ideas, however new.
        paginator.count = open_ideas(user=request.user, filters=filters).count()
        newer = newer_than_snapshot(request.user, filters, snapshot_at)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for idea in page.object_list:
        idea.figures = figures(idea, source)
    sorted_query = encode({**filters, "sort": sort, "dir": direction})
    return render(
        request,
        "board/board.html",
        {
            "page": page,
            "headers": column_headers(filters, sort, direction),
            "filters": filters,
            "filtered": any(filters.values()),
            "sort": sort,
            "direction": direction,
            "sorted_query": sorted_query,
            "categories": list(Category.objects.all()),
            "owners": list(owner_choices()),
            "tags": list(Tag.objects.all()),
            "open_statuses": OPEN_STATUS_CHOICES,
            "all_statuses": Status.choices,
            "segments": Segment.choices,
            "regions": Region.choices,
            "plans": Plan.choices,
            "snapshot": source == evidence.SNAPSHOT,
            "newer": newer,
            "snapshot_at": snapshot_at,
            "snapshot_recent": snapshot_at is not None
            and timezone.now() - snapshot_at < dt.timedelta(minutes=1),
            "snapshot_max_age_minutes": max(1, settings.LODE_BOARD_SNAPSHOT_MAX_AGE // 60),
        },
    )


@require_role(can_triage)
@require_POST
def board_refresh(request: HttpRequest) -> HttpResponse:
    """Queue a refresh of the board's evidence snapshot, then back to the board."""
    if evidence.request_refresh():
        messages.success(
            request, "Recounting the evidence. The board shows the new figures in a minute or two."
        )
    elif evidence.board_source() == evidence.SNAPSHOT:
        messages.info(request, "The evidence is already being recounted.")
    return redirect(safe_next(request, reverse("ideas:board")))


# The CSV export: the board's rows, every page, one line each.

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """Text a spreadsheet will show as text: a leading ' disarms =, +, -, @, tab and CR."""
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value


def csv_number(value: float | Decimal | int | None) -> float | Decimal | int | str:
    # Numbers are never guarded: a negative momentum must stay a number in the spreadsheet.
    if value is None:
        return ""
    return round(value, 4) if isinstance(value, float) else value


CSV_HEADER = [
    "id",
    "title",
    "url",
    "status",
    "category",
    "owner",
    "tags",
    "voters",
    "accounts",
    "arr",
    "pipeline",
    "revenue_at_risk",
    "deal_breakers",
    "momentum",
    "strength",
    "effort",
    "strategic_fit",
    "score",
    *(name for name, _ in IdeaEvidence.PARTS),
]


def csv_row(idea: Idea, base_url: str, source: str = evidence.LIVE) -> list:
    found = figures(idea, source)
    text = [
        idea.title,
        base_url + idea.get_absolute_url(),
        idea.get_status_display(),
        idea.category.name if idea.category else "",
        idea.owner.display_name if idea.owner else "",
        ", ".join(tag.name for tag in idea.tags.all()),
    ]

    def figure(name: str) -> float | Decimal | int | None:
        # Blank for an idea newer than the snapshot: not counted yet, which is not zero.
        return getattr(found, name) if found is not None else None

    numbers = [
        *(figure(name) for name in ("voters", "accounts", "arr", "pipeline")),
        *(figure(name) for name in ("revenue_at_risk", "deal_breakers", "momentum")),
        figure("strength"),
        idea.effort,
        idea.strategic_fit,
        figure("score"),
        *(figure(name) for name, _ in IdeaEvidence.PARTS),
    ]
    return [idea.pk, *(csv_text(value) for value in text), *(csv_number(n) for n in numbers)]


class Echo:
    """A file-like object whose write() hands the line back, for streaming csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Idea], base_url: str, source: str = evidence.LIVE) -> Iterator[str]:
    writer = csv.writer(Echo())
    yield writer.writerow(CSV_HEADER)
    for idea in rows:
        yield writer.writerow(csv_row(idea, base_url, source))


@require_role(can_triage)
@require_GET
def board_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The board's rows as CSV: same filters and sort, every page."""
    _, _, _, rows, source = board_query(request)
    # Chunks keep memory flat on a large board; prefetching tags still works per chunk.
    base_url = request.build_absolute_uri("/")[:-1]
    lines = csv_lines(rows.iterator(chunk_size=500), base_url, source)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    filename = f"lode-board-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Bulk actions on the rows a PM selected.


def owner_choices() -> QuerySet[User]:
    return User.objects.filter(role__in=TRIAGE_ROLES, is_active=True).order_by("name", "email")


class BulkForm(forms.Form):
    """Which ideas, which action, and that action's value; the pressed button is the action."""

    ACTIONS = {
        "status": "Set status",
        "category": "Set category",
        "owner": "Set owner",
        "add_tags": "Add tags",
        "remove_tags": "Remove tags",
    }
    NONE = "none"  # the "no category" / "nobody" choice, distinct from "not chosen"

    ideas = forms.ModelMultipleChoiceField(
        queryset=Idea.objects.listed(),
        required=False,
        error_messages={"invalid_choice": "One of the selected ideas no longer exists."},
    )
    select_all = forms.BooleanField(required=False)
    page_ideas = forms.ModelMultipleChoiceField(queryset=Idea.objects.listed(), required=False)
    action = forms.ChoiceField(
        choices=list(ACTIONS.items()), error_messages={"required": "Choose an action."}
    )
    status = forms.ChoiceField(choices=[("", "Choose a status"), *Status.choices], required=False)
    explanation = forms.CharField(required=False, max_length=5_000, strip=True)
    category = forms.CharField(required=False)
    owner = forms.CharField(required=False)
    tags = forms.ModelMultipleChoiceField(queryset=Tag.objects.all(), required=False)

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        # Without JavaScript, "select all" sends the page's ids alongside the ticked ones.
        selected = list(data.get("ideas") or [])
        if data.get("select_all"):
            selected += [idea for idea in data.get("page_ideas") or [] if idea not in selected]
        if not selected:
            raise forms.ValidationError("Select at least one idea.")
        data["selected"] = selected
        action = data["action"]
        if action == "status":
            if not data["status"]:
                self.add_error("status", "Choose the status to set.")
            elif data["status"] == Status.DECLINED and not data["explanation"]:
                self.add_error(
                    "explanation",
                    "Explain why these ideas are declined: the people who asked will read it.",
                )
        elif action == "category":
            data["category"] = self._pick(
                Category.objects.all(), data["category"], "category", "Choose a category."
            )
        elif action == "owner":
            data["owner"] = self._pick(
                owner_choices(), data["owner"], "owner", "Choose a product manager."
            )
        elif not data["tags"]:
            self.add_error("tags", "Choose at least one tag.")
        return data

    def _pick(self, queryset: QuerySet, value: str, field: str, message: str) -> Any:
        if value == self.NONE:
            return None
        found = queryset.filter(pk=value).first() if value.isdigit() else None
        if found is None:
            self.add_error(field, message)
        return found


def bulk_apply(idea: Idea, actor: User, data: dict) -> None:
    """One idea, one action, through the service that records it on the idea's timeline."""
    action = data["action"]
    if action == "status":
        services.idea_set_status(
            idea=idea, actor=actor, status=data["status"], explanation=data["explanation"]
        )
    elif action == "owner":
        services.idea_set_owner(idea=idea, actor=actor, owner=data["owner"])
    else:
        tags = set(idea.tags.all())
        if action == "add_tags":
            tags |= set(data["tags"])
        elif action == "remove_tags":
            tags -= set(data["tags"])
        services.idea_update(
            idea=idea,
            actor=actor,
            title=idea.title,
            body=idea.body,
            category=data["category"] if action == "category" else idea.category,
            tags=list(tags) if action != "category" else None,
        )


@require_role(can_triage)
@require_POST
def board_bulk(request: HttpRequest) -> HttpResponse:
    """Apply one action to the selected ideas, then go back to the board as it was."""
    back = safe_next(request) or reverse("ideas:board")
    form = BulkForm(request.POST)
    if not form.is_valid():
        # Nothing was changed; each message names what to fix, so no field prefix is needed.
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    data = form.cleaned_data
    updated, failed = 0, []
    for idea in data["selected"]:
        try:
            bulk_apply(idea, request.user, data)
        except services.ServiceError as exc:
            failed.append(f"“{idea.title}”: {exc}")
        else:
            updated += 1
    if updated:
        messages.success(request, f"Updated {updated} idea{'s' if updated != 1 else ''}.")
    for error in failed[:MAX_ERROR_MESSAGES]:
        messages.error(request, error)
    if len(failed) > MAX_ERROR_MESSAGES:
        messages.error(request, f"…and {len(failed) - MAX_ERROR_MESSAGES} more not changed.")
    return redirect(back)


# The scoring weights.

PROBABILITY_FIELDS = ("win_probability_prospect", "win_probability_open")
WEIGHT_LABELS = {
    "voters": "Voters",
    "accounts": "Accounts",
    "arr": "ARR",
    "pipeline": "Pipeline",
    "revenue_at_risk": "Revenue at risk",
    "deal_breakers": "Deal-breakers",
    "momentum": "Momentum",
    "strength": "Evidence strength",
    "strategic_fit": "Strategic fit",
    "effort": "Effort",
    "win_probability_prospect": "Win probability: prospect",
    "win_probability_open": "Win probability: open deal",
}
WEIGHT_EXPLANATIONS = {
    "voters": "Everyone who voted, customers and colleagues alike.",
    "accounts": "Distinct accounts behind the votes and signals, each counted once.",
    "arr": "The annual recurring revenue of those accounts, each counted once.",
    "pipeline": "Open deals that need it (one per account, its largest), "
    "weighted by how likely they are to close.",
    "revenue_at_risk": "ARR of accounts whose renewal is at risk or whose deal was lost over it.",
    "deal_breakers": "Signals marked as deal-breakers.",
    "momentum": "Votes and signals in the last 30 days against the 30 days before; "
    "negative when interest fades.",
    "strength": "How well-founded the evidence is: independent accounts, roles, sources "
    "and recency.",
    "strategic_fit": "The PM's judgement of fit with the strategy.",
    "effort": "The PM's estimate of the work; bigger effort lowers the score.",
    "win_probability_prospect": "Multiplies deals at the prospect stage in the pipeline.",
    "win_probability_open": "Multiplies open deals in the pipeline.",
}


class WeightsForm(forms.Form):
    """The ten weights (−10 to 10) and two win probabilities (0 to 1)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in (*ScoringWeights.WEIGHT_FIELDS, *PROBABILITY_FIELDS):
            model_field = ScoringWeights._meta.get_field(name)
            if name in PROBABILITY_FIELDS:
                low, high, message = 0, 1, "Use a probability between 0 and 1, like 0.3."
            else:
                low, high, message = -10, 10, "Use a weight between −10 and 10."
            self.fields[name] = forms.FloatField(
                label=WEIGHT_LABELS[name],
                min_value=low,
                max_value=high,
                help_text=f"{WEIGHT_EXPLANATIONS[name]} ({model_field.help_text})",
                error_messages={
                    "required": "Give this a value (0 switches it off).",
                    "invalid": "Enter a number, like 1.5.",
                    "min_value": message,
                    "max_value": message,
                },
            )

    def weight_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ScoringWeights.WEIGHT_FIELDS]

    def probability_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in PROBABILITY_FIELDS]


def weight_defaults() -> dict[str, float]:
    return {
        name: ScoringWeights._meta.get_field(name).default
        for name in (*ScoringWeights.WEIGHT_FIELDS, *PROBABILITY_FIELDS)
    }


@require_role(can_triage)
@require_http_methods(["GET", "POST"])
def weights(request: HttpRequest) -> HttpResponse:
    """Edit how much each kind of evidence counts in the priority score."""
    current = ScoringWeights.load()
    defaults = weight_defaults()
    if request.method == "POST":
        if request.POST.get("reset"):
            services.weights_update(actor=request.user, **defaults)
            messages.success(request, "Scoring weights are back to the defaults.")
            return redirect("ideas:board")
        form = WeightsForm(request.POST)
        if form.is_valid():
            services.weights_update(actor=request.user, **form.cleaned_data)
            messages.success(request, "Scoring weights saved: the board is ranked with them now.")
            return redirect("ideas:board")
        status = 400
    else:
        form = WeightsForm(initial={name: getattr(current, name) for name in defaults})
        status = 200
    return render(
        request,
        "board/weights.html",
        {
            "form": form,
            "weights": current,
            # Someone may have edited the row in the Django admin without being recorded.
            "is_default": all(getattr(current, name) == value for name, value in defaults.items()),
            "defaults": [(WEIGHT_LABELS[name], value) for name, value in defaults.items()],
        },
        status=status,
    )
