"""Product-manager triage: the review queue, the review panel, routing signals."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from ideas import cache as anon_cache
from ideas import queries, services
from ideas.choices import Segment, Status
from ideas.forms import (
    CommentForm,
    IdeaEditForm,
    InputsForm,
    MergeForm,
    OwnerForm,
    RouteForm,
    SignalIdeaForm,
    StatusForm,
    VisibilityForm,
)
from ideas.models import Category, Comment, Idea, Signal, StatusChange
from ideas.pagination import MAX_OFFSET, get_page, page_number
from ideas.permissions import can_triage, require_role
from ideas.views.forum import is_htmx

PAGE_SIZE = 30
SOURCES = [("customer", "Customers"), ("sales", "Sales"), ("staff", "Staff")]
AGES = [("week", "This week"), ("month", "7–30 days"), ("older", "Older than 30 days")]
FILTER_KEYS = ("source", "category", "segment", "age", "order")
COUNTED_FILTERS = ("source", "category", "segment", "age")


def queue_filters(request: HttpRequest) -> dict:
    return {key: request.GET.get(key, "")[:80] for key in FILTER_KEYS}


@require_role(can_triage)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    filters = queue_filters(request)
    newest_first = filters["order"] == "newest"
    # Far past any real page: still the last page (get_page), without a LIMIT PostgreSQL
    # cannot hold.
    number = min(page_number(request.GET.get("page")), MAX_OFFSET // PAGE_SIZE)
    rows = queries.triage_queue(filters, newest_first=newest_first, upto=number * PAGE_SIZE + 1)
    page = get_page(rows, number, PAGE_SIZE)
    items = queries.triage_page_objects(list(page.object_list))
    categories = list(Category.objects.all())
    counts = anon_cache.triage_counts(lambda: queries.triage_counts(categories))
    active = {key: value for key, value in filters.items() if value}
    return render(
        request,
        "triage/queue.html",
        {
            "page": page,
            "items": items,
            "queue_length": queue_length(filters, counts),
            "filters": filters,
            "filter_query": urlencode(active),
            "counts": counts,
            "sources": SOURCES,
            "ages": AGES,
            "categories": categories,
            "segments": Segment.choices,
            "statuses": Status.choices,
        },
    )


def queue_length(filters: dict, counts: dict) -> int:
    """How many items the filtered queue holds. Unfiltered or narrowed by one filter, the
    filter bar's counts already say (no query); two filters or more are counted."""
    narrowed = [key for key in COUNTED_FILTERS if filters[key]]
    if not narrowed:
        return counts["total"]
    if len(narrowed) == 1 and filters[narrowed[0]] in counts[narrowed[0]]:
        return counts[narrowed[0]][filters[narrowed[0]]]
    return queries.triage_queue(filters, upto=None).count()


def panel_context(request: HttpRequest, idea: Idea, **forms) -> dict:
    comments = Comment.objects.filter(idea=idea).select_related("author").order_by("created_at")
    timeline = (
        StatusChange.objects.filter(idea=idea).select_related("actor").order_by("created_at", "id")
    )
    evidence = queries.idea_evidence(idea)
    context = {
        "idea": idea,
        "score": evidence["figures"],
        "evidence": evidence,
        "comments": comments,
        "timeline": timeline,
        "similar": queries.similar_ideas(
            idea.title, body=idea.body, user=request.user, limit=6, exclude_pk=idea.pk
        ),
        "edit_form": IdeaEditForm(
            initial={
                "title": idea.title,
                "body": idea.body,
                "category": idea.category_id,
                "tags": list(idea.tags.all()),
            }
        ),
        "status_form": StatusForm(initial={"status": idea.status}),
        "owner_form": OwnerForm(initial={"owner": idea.owner_id}),
        "inputs_form": InputsForm(
            initial={"effort": idea.effort, "strategic_fit": idea.strategic_fit}
        ),
        "note_form": CommentForm(initial={"is_internal": True}),
    }
    context.update(forms)
    return context


def get_panel_idea(pk: int) -> Idea:
    return get_object_or_404(
        Idea.objects.select_related("category", "author", "account", "owner", "merged_into"),
        pk=pk,
    )


@require_role(can_triage)
@require_GET
def review(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_panel_idea(pk)
    return render(request, "triage/review.html", panel_context(request, idea))


def panel_action(
    form_class: type, form_name: str, act: Callable[[HttpRequest, Idea, dict], str]
) -> Callable:
    """A POST-only panel action: validate the form, call the service, come back with a
    message; on invalid input, show the panel again with the errors and what was typed."""

    @require_role(can_triage)
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        idea = get_panel_idea(pk)
        form = form_class(request.POST)
        if form.is_valid():
            try:
                message = act(request, idea, form.cleaned_data)
            except services.ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                idea.refresh_from_db()
                if is_htmx(request) and request.POST.get("from") == "queue":
                    return render(
                        request, "triage/queue.html#queue-done", {"idea": idea, "message": message}
                    )
                messages.success(request, message)
                if request.POST.get("back") == "queue":
                    return redirect("ideas:triage")
                # After a merge, carry on with the idea that remains.
                return redirect(idea_panel(idea.merged_into or idea))
        if is_htmx(request) and request.POST.get("from") == "queue":
            # The row again, with the reason; 200 so that htmx swaps it in.
            errors = [error for errors in form.errors.values() for error in errors]
            return render(
                request,
                "triage/queue.html#queue-idea",
                {"item": idea, "error": " ".join(errors), "statuses": Status.choices},
            )
        return render(
            request,
            "triage/review.html",
            panel_context(request, idea, **{form_name: form}),
            status=400,
        )

    return view


def idea_panel(idea: Idea) -> str:
    return reverse("ideas:triage_idea", args=[idea.pk])


def _status(request: HttpRequest, idea: Idea, data: dict) -> str:
    services.idea_set_status(
        idea=idea, actor=request.user, status=data["status"], explanation=data["explanation"]
    )
    return f"“{idea.title}” is now {Status(data['status']).label.lower()}."


def _edit(request: HttpRequest, idea: Idea, data: dict) -> str:
    services.idea_update(
        idea=idea,
        actor=request.user,
        title=data["title"],
        body=data["body"],
        category=data["category"],
        tags=list(data["tags"]),
    )
    return "Saved."


def _owner(request: HttpRequest, idea: Idea, data: dict) -> str:
    services.idea_set_owner(idea=idea, actor=request.user, owner=data["owner"])
    return f"Owner: {data['owner'].display_name}." if data["owner"] else "Owner removed."


def _visibility(request: HttpRequest, idea: Idea, data: dict) -> str:
    services.idea_set_visibility(idea=idea, actor=request.user, visibility=data["visibility"])
    return (
        "The idea is now public."
        if data["visibility"] == "public"
        else "The idea is now internal."
    )


def _inputs(request: HttpRequest, idea: Idea, data: dict) -> str:
    services.idea_set_inputs(
        idea=idea, actor=request.user, effort=data["effort"], strategic_fit=data["strategic_fit"]
    )
    return "Score inputs saved."


def _note(request: HttpRequest, idea: Idea, data: dict) -> str:
    services.comment_add(author=request.user, idea=idea, body=data["body"], is_internal=True)
    return "Private note added."


def _merge(request: HttpRequest, idea: Idea, data: dict) -> str:
    target = services.idea_merge(source=idea, target=data["target"], actor=request.user)
    return f"Merged into “{target.title}”: it now has {target.vote_count} votes."


set_status = panel_action(StatusForm, "status_form", _status)
edit = panel_action(IdeaEditForm, "edit_form", _edit)
set_owner = panel_action(OwnerForm, "owner_form", _owner)
set_visibility = panel_action(VisibilityForm, "visibility_form", _visibility)
set_inputs = panel_action(InputsForm, "inputs_form", _inputs)
add_note = panel_action(CommentForm, "note_form", _note)
merge = panel_action(MergeForm, "merge_form", _merge)


@require_role(can_triage)
@require_GET
def signal_panel(request: HttpRequest, pk: int) -> HttpResponse:
    signal = get_object_or_404(
        Signal.objects.select_related("account", "captured_by", "idea"), pk=pk
    )
    return render(request, "triage/signal.html", signal_context(request, signal))


def signal_context(request: HttpRequest, signal: Signal, **forms) -> dict:
    title = " ".join(filter(None, [signal.proposed_title, signal.summary]))
    context = {
        "signal": signal,
        "similar": queries.similar_ideas(title, body=signal.verbatim, user=request.user, limit=6),
        "idea_form": SignalIdeaForm(
            initial={"title": signal.proposed_title or signal.summary[:140]}
        ),
    }
    context.update(forms)
    return context


@require_role(can_triage)
@require_POST
def signal_route(request: HttpRequest, pk: int) -> HttpResponse:
    signal = get_object_or_404(Signal, pk=pk)
    form = RouteForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors.as_text())
        return redirect("ideas:triage_signal", pk=signal.pk)
    services.signal_route(signal=signal, idea=form.cleaned_data["idea"], actor=request.user)
    signal.refresh_from_db()
    message = f"Signal routed to “{signal.idea.title}”."
    if is_htmx(request):
        return render(
            request, "triage/queue.html#signal-done", {"signal": signal, "message": message}
        )
    messages.success(request, message)
    return redirect("ideas:triage")


@require_role(can_triage)
@require_POST
def signal_new_idea(request: HttpRequest, pk: int) -> HttpResponse:
    signal = get_object_or_404(Signal.objects.select_related("account", "captured_by"), pk=pk)
    form = SignalIdeaForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "triage/signal.html",
            signal_context(request, signal, idea_form=form),
            status=400,
        )
    idea = services.signal_create_idea(
        signal=signal,
        actor=request.user,
        title=form.cleaned_data["title"],
        category=form.cleaned_data["category"],
    )
    messages.success(request, f"New internal idea “{idea.title}” created with this signal.")
    return redirect("ideas:triage_idea", pk=idea.pk)
