"""The public changelog: what shipped, as release notes and as RSS/Atom feeds."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_GET, require_http_methods

from ideas import markdown, services
from ideas.forms import ReleaseNoteForm
from ideas.models import Idea, ReleaseNote
from ideas.permissions import can_triage, require_role

FEED_SIZE = 20


def published_notes(user) -> QuerySet[ReleaseNote]:
    """Published notes, each with only the linked ideas this person may see."""
    return (
        ReleaseNote.objects.filter(published_at__isnull=False)
        .select_related("author")
        .prefetch_related(
            Prefetch(
                "ideas",
                queryset=Idea.objects.visible_to(user).listed().order_by("title"),
                to_attr="visible_ideas",
            )
        )
        .order_by("-published_at", "-id")
    )


@require_GET
def changelog(request: HttpRequest) -> HttpResponse:
    notes = published_notes(request.user)[:50]
    return render(
        request,
        "changelog/list.html",
        {"notes": notes, "can_publish": can_triage(request.user)},
    )


@require_GET
def release_note(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    note = get_object_or_404(published_notes(request.user), pk=pk)
    if slug != note.slug:
        return redirect(note, permanent=True)
    return render(request, "changelog/detail.html", {"note": note})


@require_role(can_triage)
@require_http_methods(["GET", "POST"])
def release_note_new(request: HttpRequest) -> HttpResponse:
    form = ReleaseNoteForm(request.POST or None, initial={"ideas": request.GET.getlist("idea")})
    if request.method == "POST" and form.is_valid():
        note = services.release_note_publish(author=request.user, **form.cleaned_data)
        messages.success(request, "Published. Followers of the linked ideas will hear about it.")
        return redirect(note)
    return render(
        request, "changelog/new.html", {"form": form}, status=400 if form.errors else 200
    )


class ChangelogFeed(Feed):
    """RSS 2.0: anonymous readers, so only public ideas are linked."""

    def title(self) -> str:
        return f"{settings.LODE_SITE_NAME} changelog"

    def link(self) -> str:
        return "/changelog/"

    def description(self) -> str:
        return f"What shipped in {settings.LODE_SITE_NAME}."

    def items(self) -> QuerySet[ReleaseNote]:
        return published_notes(None)[:FEED_SIZE]

    def item_title(self, item: ReleaseNote) -> str:
        return item.title

    def item_description(self, item: ReleaseNote) -> str:
        return markdown.render(item.body)

    def item_pubdate(self, item: ReleaseNote):
        return item.published_at

    def item_link(self, item: ReleaseNote) -> str:
        return item.get_absolute_url()


class ChangelogAtomFeed(ChangelogFeed):
    feed_type = Atom1Feed

    def subtitle(self) -> str:
        return self.description()
