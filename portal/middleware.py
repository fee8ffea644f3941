"""Request hygiene shared by every page."""

import contextvars
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers


class StripNulFromQueryMiddleware:
    """PostgreSQL refuses NUL bytes in text; a `?q=%00` must not become a 500 deep inside a
    search or filter. Query-string values lose their NUL bytes before any view sees them.
    (Form bodies keep them: forms refuse them with a clear message. The API validates its
    query parameters itself and answers 400.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if ("%00" in query or "\x00" in query) and not request.path.startswith("/api/"):
            cleaned = request.GET.copy()
            for key in list(cleaned.keys()):
                cleaned.setlist(
                    key.replace("\x00", ""),
                    [value.replace("\x00", "") for value in cleaned.getlist(key)],
                )
                if "\x00" in key:
                    del cleaned[key]
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)


REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{8,64}")
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdMiddleware:
    """Tag each request with an id, echoed in `X-Request-ID` and in every log line it causes.

    A proxy's incoming `X-Request-ID` is kept when it is a sane token, so one id follows the
    request across services; anything else (too long, CR/LF, spaces) is replaced."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if REQUEST_ID_PATTERN.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response to a signed-in user and on the account
    pages: what they show (evidence, revenue, notifications, private ideas) must not stay in
    a shared or browser cache. Public pages seen by visitors stay cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        private = (user is not None and user.is_authenticated) or request.path.startswith(
            ("/accounts/", "/account/", "/api/")
        )
        if private and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response


class RequireMfaMiddleware:
    """PMs and admins (LODE_MFA_REQUIRED_ROLES, superusers too) must set up a second factor
    before anything else: pages send them to the authenticator set-up, the API answers 403.

    The check is remembered in the session, so it costs one query per session, not per page."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz", "/readyz")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.LODE_MFA_REQUIRED and self.needs_mfa(request):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "Set up two-factor authentication first, at /accounts/2fa/."},
                    status=403,
                )
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    def needs_mfa(self, request: HttpRequest) -> bool:
        user = request.user
        if not user.is_authenticated or request.path.startswith(self.ALLOWED_PREFIXES):
            return False
        if user.role not in settings.LODE_MFA_REQUIRED_ROLES and not user.is_superuser:
            return False
        if request.session.get("lode_mfa_ok"):
            return False
        from allauth.mfa.models import Authenticator

        if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            request.session["lode_mfa_ok"] = True
            return False
        return True
