"""Sales capture: what reps hear in the field, recorded in under 30 seconds; their signals;
the accounts they come from."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ideas import queries, services
from ideas.forms import SignalForm
from ideas.models import Account, Idea, Signal, Vote
from ideas.permissions import can_capture, get_account_for_user, require_role
from ideas.views.forum import is_htmx

PAGE_SIZE = 25


@require_role(can_capture)
def capture(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = SignalForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            prospect = None
            if data["new_account_name"]:
                prospect = {
                    "name": data["new_account_name"],
                    "segment": data["new_account_segment"],
                    "region": data["new_account_region"],
                }
            signal = services.signal_capture(
                captured_by=request.user,
                account=data["account"],
                prospect=prospect,
                verbatim=data["verbatim"],
                summary=data["summary"],
                contact_name=data["contact_name"],
                contact_role=data["contact_role"],
                kind=data["kind"],
                competitor=data["competitor"],
                source=data["source"],
                heard_on=data["heard_on"],
                importance=data["importance"],
                opportunity_value=data["opportunity_value"],
                deal_stage=data["deal_stage"],
                idea=data["idea"],
                proposed_title=data["proposed_title"],
            )
            return redirect("ideas:capture_saved", pk=signal.pk)
        status = 400
    else:
        form = SignalForm(user=request.user, initial={"heard_on": timezone.localdate()})
        status = 200
    selected_account = form.cleaned_data.get("account") if form.is_bound else None
    selected_idea = form.cleaned_data.get("idea") if form.is_bound else None
    suggestions = []
    if form.is_bound:
        # As long as idea_suggestions reads them: a megabyte of text must not be ranked.
        suggestions = queries.similar_ideas(
            (form["summary"].value() or "")[:200],
            body=(form["verbatim"].value() or "")[:5000],
            user=request.user,
            limit=5,
        )
        if selected_idea and selected_idea not in suggestions:
            suggestions.insert(0, selected_idea)
    return render(
        request,
        "capture/capture.html",
        {
            "form": form,
            "selected_account": selected_account,
            "selected_idea": selected_idea,
            "suggestions": suggestions,
        },
        status=status,
    )


@require_role(can_capture)
@require_GET
def capture_saved(request: HttpRequest, pk: int) -> HttpResponse:
    signal = get_object_or_404(
        Signal.objects.select_related("account", "idea"), pk=pk, captured_by=request.user
    )
    return render(request, "capture/saved.html", {"signal": signal})


@require_role(can_capture)
@require_GET
def account_typeahead(request: HttpRequest) -> HttpResponse:
    """The accounts matching what the rep typed (name or domain)."""
    query = request.GET.get("account_query", "")
    return render(
        request,
        "capture/capture.html#account-results",
        {"accounts": queries.account_search(query), "query": query.strip()},
    )


@require_role(can_capture)
@require_GET
def account_pick(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Swap the account field: the chosen account, or (pk None) an empty search again."""
    account = get_object_or_404(Account, pk=pk) if pk is not None else None
    return render(request, "capture/capture.html#account-field", {"selected_account": account})


@require_role(can_capture)
@require_GET
def idea_suggestions(request: HttpRequest) -> HttpResponse:
    """Ideas like the words typed so far, internal ones included, for linking."""
    summary = request.GET.get("summary", "")[:200]
    verbatim = request.GET.get("verbatim", "")[:5000]
    # The rep's summary reads like a title and their customer's words like a body.
    suggestions = queries.similar_ideas(summary, body=verbatim, user=request.user, limit=5)
    text = f"{summary} {verbatim}"
    selected_idea = None
    selected = request.GET.get("idea", "")
    if selected.isdigit():
        selected_idea = Idea.objects.visible_to(request.user).listed().filter(pk=selected).first()
        if selected_idea and selected_idea not in suggestions:
            suggestions.insert(0, selected_idea)
    return render(
        request,
        "capture/capture.html#idea-suggestions",
        {"suggestions": suggestions, "selected_idea": selected_idea, "typed": text.strip()},
    )


@require_role(can_capture)
@require_GET
def my_signals(request: HttpRequest) -> HttpResponse:
    page = Paginator(queries.my_signals(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "capture/my_signals.html", {"page": page})


@require_role(can_capture)
@require_GET
def account_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    page = Paginator(queries.account_list(query), PAGE_SIZE).get_page(request.GET.get("page"))
    template = (
        "capture/accounts.html#account-table" if is_htmx(request) else "capture/accounts.html"
    )
    return render(request, template, {"page": page, "query": query})


@require_GET
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_account_for_user(request, pk)
    signals = (
        Signal.objects.filter(account=account)
        .select_related("idea", "captured_by")
        .order_by("-heard_on", "-id")
    )
    votes = (
        Vote.objects.filter(user__account=account)
        .select_related("idea", "user")
        .order_by("-created_at", "-id")
    )
    return render(
        request,
        "capture/account_detail.html",
        {
            "account": account,
            "signals": signals,
            "votes": votes,
            "ideas": queries.account_ideas(account),
        },
    )
