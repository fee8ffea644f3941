"""Notifications: the in-app list, email preferences, and the one-click unsubscribe."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ideas import notifications, services
from ideas.forms import PreferencesForm
from ideas.models import Notification

LIST_SIZE = 50


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    items = (
        Notification.objects.filter(recipient=request.user)
        .select_related("idea", "release_note")
        .order_by("-created_at")[:LIST_SIZE]
    )
    return render(request, "notifications/list.html", {"items": items})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_read(user=request.user)
    return redirect("ideas:notifications")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(
        request.POST or None, initial={"email_frequency": request.user.email_frequency}
    )
    if request.method == "POST" and form.is_valid():
        services.user_set_email_frequency(
            user=request.user, frequency=form.cleaned_data["email_frequency"]
        )
        messages.success(
            request,
            "Saved: "
            + dict(form.fields["email_frequency"].choices)[
                form.cleaned_data["email_frequency"]
            ].lower()
            + ".",
        )
        return redirect("ideas:notification_preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


# Mail clients send the one-click POST (RFC 8058) without a session or CSRF token; the
# signed token in the URL is the proof, and it can only switch emails off.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    user = notifications.user_from_unsubscribe_token(token)
    if user is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        services.user_set_email_frequency(user=user, frequency="off")
        return render(
            request, "notifications/unsubscribe.html", {"done": True, "email": user.email}
        )
    return render(request, "notifications/unsubscribe.html", {"email": user.email, "token": token})
