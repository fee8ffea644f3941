"""The public forum: idea list, idea page, voting, comments, following, posting, roadmap."""

from __future__ import annotations

import functools
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from ideas import cache as anon_cache
from ideas import queries, ratelimit, services
from ideas.choices import ActivityKind, Status
from ideas.forms import CommentForm, IdeaForm
from ideas.models import Category, Comment, Idea, StatusChange, Subscription, Vote
from ideas.pagination import Page, capped_count, get_page, page_number
from ideas.permissions import (
    can_see_evidence,
    can_see_internal_notes,
    can_view_idea,
    get_idea_for_user,
)

PAGE_SIZE = 20
# A search says how many ideas match up to here, then "more than": counting every match of
# a common word would read most of the table.
SEARCH_COUNT_CAP = 1000
COMMENTS_PER_PAGE = 50
SORT_OPTIONS = [("trending", "Trending"), ("top", "Top"), ("new", "New")]


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def login_required_for_action(view: Callable) -> Callable:
    """login_required that also works for htmx: the browser goes to the log-in page and
    comes back to the page it was on, not to the fragment's URL."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        back = safe_next(request, default=request.headers.get("HX-Current-URL", ""))
        login = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': back})}"
        if is_htmx(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = login
            return response
        return redirect(login)

    return wrapped


def safe_next(request: HttpRequest, default: str = "") -> str:
    """The page to go back to, only if it is on this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or default
    # A path from the root or a full URL: redirect() would take a bare word ("0", "j") for
    # a URL pattern's name and fail with a 500.
    if (
        candidate
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and (candidate.startswith("/") or urlsplit(candidate).scheme in ("http", "https"))
    ):
        return candidate
    return ""


@require_GET
def idea_list(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", "trending")
    if sort not in queries.SORTS:
        sort = "trending"
    search = request.GET.get("q", "")[:200]
    category = request.GET.get("category", "")[:80]
    status = request.GET.get("status", "")
    status = status if status in Status.values else ""
    number = page_number(request.GET.get("page"))
    ideas = queries.idea_list(
        user=request.user, sort=sort, search=search, category=category, status=status
    )
    filters = {"q": search, "category": category, "status": status}
    context = {
        "sort": sort,
        "sort_options": SORT_OPTIONS,
        "search": search,
        "categories": Category.objects.all(),
        "statuses": Status.choices,
        "current_category": category,
        "current_status": status,
        "filter_query": urlencode({k: v for k, v in filters.items() if v}),
    }

    def first_page_for_visitors() -> tuple[Page, str]:
        page = get_page(ideas, 1, PAGE_SIZE)
        content = render_to_string(
            "forum/idea_list.html#list-content", context | {"page": page}, request
        )
        return page, content

    # Visitors' first pages (not searches: too many variants) are rendered once and served
    # from the shared cache until something they show changes.
    if (
        anon_cache.serves(request)
        and number == 1
        and not search.strip()
        and (not category or Category.objects.filter(slug=category).exists())
    ):
        parts = {"sort": sort, "category": category, "status": status}
        page, content = anon_cache.for_anonymous(request, "list", parts, first_page_for_visitors)
        context |= {"page": page, "cached_content": content}
    else:
        context["page"] = get_page(ideas, number, PAGE_SIZE)
    if search.strip():
        page = context["page"]
        context["search_count"] = (
            len(page)  # every match is on this first page: nothing more to count
            if page.number == 1 and not page.has_next()
            else capped_count(ideas, SEARCH_COUNT_CAP)
        )
        context["search_cap"] = SEARCH_COUNT_CAP
        for idea in context["page"]:
            idea.title_html = queries.highlight(idea.title_headline)
            idea.body_html = queries.highlight(idea.body_headline)
    response = render(request, "forum/idea_list.html", context)
    return anon_cache.vary_on_cookie(response)


@require_GET
def idea_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    idea = get_idea_for_user(request, pk)
    # Merged into an idea this person may not see: stay on this page rather than reveal
    # the other idea's address (its slug is its title).
    if idea.merged_into_id is not None and can_view_idea(request.user, idea.merged_into):
        return redirect(idea.merged_into, permanent=True)
    if slug != idea.slug:
        return redirect(idea, permanent=True)
    return render_idea_page(request, idea, CommentForm())


def render_idea_page(
    request: HttpRequest, idea: Idea, comment_form: CommentForm, status: int = 200
) -> HttpResponse:
    user = request.user
    comments = (
        Comment.objects.filter(idea=idea).select_related("author").order_by("created_at", "id")
    )
    timeline = StatusChange.objects.filter(idea=idea).select_related("actor")
    if not can_see_internal_notes(user):
        comments = comments.filter(is_internal=False)
        timeline = timeline.filter(is_public=True)
    # A popular idea can have thousands of comments: show them a page at a time, the
    # newest page first, so the page's size and cost stay bounded.
    paginator = Paginator(comments, COMMENTS_PER_PAGE)
    wanted = request.GET.get("comments")
    comments_page = paginator.get_page(wanted if wanted else paginator.num_pages)
    # Pages in the newer half are read from the newest end: the default page costs one
    # short index walk instead of an OFFSET over thousands of older comments.
    bottom = (comments_page.number - 1) * COMMENTS_PER_PAGE
    top = min(bottom + COMMENTS_PER_PAGE, paginator.count)
    if paginator.count - top < bottom:
        newest_first = comments.reverse()[paginator.count - top : paginator.count - bottom]
        comments_page.object_list = list(reversed(newest_first))
    if idea.merged_into_id is not None and not can_view_idea(user, idea.merged_into):
        # The merge entry names the idea this one joined.
        timeline = timeline.exclude(kind=ActivityKind.MERGE)
    if user.is_authenticated:
        idea.has_voted = Vote.objects.filter(idea=idea, user=user).exists()
        following = Subscription.objects.filter(idea=idea, user=user, active=True).exists()
    else:
        idea.has_voted = following = False
    return render(
        request,
        "forum/idea_detail.html",
        {
            "idea": idea,
            "comments": comments_page,
            "timeline": timeline,
            "following": following,
            "comment_form": comment_form,
            "can_write_notes": can_see_internal_notes(user),
            # Revenue, accounts and signals: computed only for those allowed to see them.
            "evidence": queries.idea_evidence(idea) if can_see_evidence(user) else None,
        },
        status=status,
    )


def vote_response(request: HttpRequest, idea: Idea, has_voted: bool) -> HttpResponse:
    idea.has_voted = has_voted
    if is_htmx(request):
        return render(request, "forum/components.html#vote-box", {"idea": idea})
    return redirect(safe_next(request) or idea.get_absolute_url())


@require_POST
@login_required_for_action
@ratelimit.limit("vote")
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_idea_for_user(request, pk)
    try:
        idea = services.vote_add(user=request.user, idea=idea)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
        if is_htmx(request):
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return redirect(safe_next(request) or idea.get_absolute_url())
    return vote_response(request, idea, has_voted=True)


@require_POST
@login_required_for_action
@ratelimit.limit("vote")
def unvote(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_idea_for_user(request, pk)
    idea = services.vote_remove(user=request.user, idea=idea)
    return vote_response(request, idea, has_voted=False)


@require_POST
@login_required_for_action
@ratelimit.limit("comment")
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_idea_for_user(request, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return render_idea_page(request, idea, form, status=400)
    is_internal = form.cleaned_data["is_internal"] and can_see_internal_notes(request.user)
    try:
        new = services.comment_add(
            author=request.user, idea=idea, body=form.cleaned_data["body"], is_internal=is_internal
        )
    except services.ServiceError as exc:
        form.add_error(None, str(exc))
        return render_idea_page(request, idea, form, status=400)
    messages.success(request, "Private note added." if is_internal else "Comment posted.")
    return redirect(f"{idea.get_absolute_url()}#comment-{new.pk}")


@require_POST
@login_required_for_action
def follow(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_idea_for_user(request, pk)
    following = request.POST.get("action") != "unfollow"
    if following:
        services.idea_follow(user=request.user, idea=idea)
    else:
        services.idea_unfollow(user=request.user, idea=idea)
    if is_htmx(request):
        return render(
            request, "forum/components.html#follow-button", {"idea": idea, "following": following}
        )
    messages.success(
        request,
        "You'll hear when this idea moves." if following else "You won't hear about it anymore.",
    )
    return redirect(idea)


@login_required
def idea_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = IdeaForm(request.POST)
        if form.is_valid():
            try:
                ratelimit.check(request, "idea")
            except ratelimit.RateLimited as exc:
                return ratelimit.too_many_requests(request, exc)
            idea = services.idea_submit(author=request.user, **form.cleaned_data)
            messages.success(request, "Thanks! Your idea is posted; you'll hear when it moves.")
            return redirect(idea)
        status = 400
    else:
        form = IdeaForm(initial={"title": request.GET.get("title", "")[:140]})
        status = 200
    similar = []
    if form.is_bound or form.initial.get("title"):
        # As long as the similar fragment reads it: a megabyte of title must not be ranked.
        similar = queries.similar_ideas((form["title"].value() or "")[:500], user=request.user)
    return render(
        request, "forum/idea_form.html", {"form": form, "similar": similar}, status=status
    )


@require_GET
@ratelimit.limit("similar")
def similar(request: HttpRequest) -> HttpResponse:
    text = (request.GET.get("title") or request.GET.get("text") or "")[:500]
    ideas = queries.similar_ideas(text, user=request.user)
    return render(
        request, "forum/components.html#similar-list", {"similar": ideas, "query": text.strip()}
    )


@require_GET
def roadmap(request: HttpRequest) -> HttpResponse:
    columns = anon_cache.for_anonymous(
        request, "roadmap", {}, lambda: queries.roadmap(user=request.user)
    )
    response = render(
        request,
        "forum/roadmap.html",
        {
            "columns": [
                (status, Status(status).label, ideas) for status, ideas in columns.items()
            ],
            "shipped_days": queries.ROADMAP_SHIPPED_DAYS,
        },
    )
    return anon_cache.vary_on_cookie(response)
