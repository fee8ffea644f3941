"""Request hygiene shared by every page."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


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
