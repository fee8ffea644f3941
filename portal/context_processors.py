from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from ideas import permissions

# (url name, label, icon, who sees it). Entries whose URL does not exist yet are left out,
# so the menu grows as features land.
NAV = [
    ("ideas:list", "Ideas", "lightbulb", None),
    ("ideas:roadmap", "Roadmap", "signpost-split", None),
    ("ideas:changelog", "Changelog", "rocket-takeoff", None),
    ("ideas:capture", "Capture", "mic", permissions.can_capture),
    ("ideas:my_signals", "My signals", "broadcast", permissions.can_capture),
    ("ideas:accounts", "Accounts", "buildings", permissions.can_see_evidence),
    ("ideas:triage", "Triage", "inboxes", permissions.can_triage),
    ("ideas:board", "Board", "kanban", permissions.can_triage),
    ("ideas:insights", "Insights", "graph-up-arrow", permissions.can_view_insights),
]


def nav_items(request: HttpRequest) -> list[dict]:
    items = []
    user = request.user
    for name, label, icon, allowed in NAV:
        if allowed is not None and not allowed(user):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"url": url, "label": label, "icon": icon, "active": active})
    return items


def lode(request: HttpRequest) -> dict:
    return {
        "LODE_SITE_NAME": settings.LODE_SITE_NAME,
        "LODE_CURRENCY": settings.LODE_CURRENCY,
        "nav_items": nav_items(request) if hasattr(request, "user") else [],
    }
