"""The public forum: the idea list and idea pages."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ideas.choices import Status
from ideas.models import Category, Idea
from ideas.permissions import get_idea_for_user

SORTS = {"top": ("-vote_count", "-created_at"), "new": ("-created_at",)}
SORT_OPTIONS = [("top", "Top"), ("new", "New")]
PAGE_SIZE = 20


def idea_list(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", "top")
    if sort not in SORTS:
        sort = "top"
    ideas = Idea.objects.visible_to(request.user).listed().for_list().order_by(*SORTS[sort])
    category = request.GET.get("category", "")
    if category:
        ideas = ideas.filter(category__slug=category)
    status = request.GET.get("status", "")
    if status in Status.values:
        ideas = ideas.filter(status=status)
    page = Paginator(ideas, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "forum/idea_list.html",
        {
            "page": page,
            "sort": sort,
            "sort_options": SORT_OPTIONS,
            "categories": Category.objects.all(),
            "statuses": Status.choices,
            "current_category": category,
            "current_status": status if status in Status.values else "",
        },
    )


def idea_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    idea = get_idea_for_user(request, pk)
    if idea.merged_into_id is not None:
        return redirect(idea.merged_into, permanent=True)
    if slug != idea.slug:
        return redirect(idea, permanent=True)
    return render(request, "forum/idea_detail.html", {"idea": idea})
