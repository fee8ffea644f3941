"""The API's plumbing: authentication, parsing, paging and throttling.

Everything here is named in settings.REST_FRAMEWORK (errors: ideas/api/exceptions.py). The
rules themselves stay in ideas/permissions.py, ideas/queries.py and ideas/services.py.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from rest_framework import authentication, exceptions, metadata, pagination, parsers, throttling

from ideas import ratelimit

if TYPE_CHECKING:
    # Not at run time: rest_framework.views reads these settings, which name this module.
    from rest_framework.request import Request
    from rest_framework.views import APIView


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication (`Authorization: Token <key>`); a string that cannot be a
    key is refused before it reaches the database (PostgreSQL rejects NUL bytes loudly)."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        if len(key) > 40 or not key.isascii() or not key.isalnum():
            raise exceptions.AuthenticationFailed("Invalid token.")
        return super().authenticate_credentials(key)


class JSONParser(parsers.JSONParser):
    """JSON only. Two inputs Python's parser accepts but Lode cannot use are a 400, not a
    crash: nesting too deep for the parser, and lone UTF-16 surrogates (`"\\ud800"`), which
    neither PostgreSQL nor a UTF-8 response can hold. (DRF reads the body through Django,
    so DATA_UPLOAD_MAX_MEMORY_SIZE caps its size: a 413.)"""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
            json.dumps(data, ensure_ascii=False).encode()
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from None
        except UnicodeEncodeError:
            raise exceptions.ParseError(
                "JSON parse error - a string holds an invalid character (a lone surrogate)."
            ) from None
        return data


class Metadata(metadata.SimpleMetadata):
    """OPTIONS names the endpoint and its formats; request bodies are described by the
    OpenAPI schema (DRF's own description needs a serializer_class on every view)."""

    def determine_actions(self, request: Request, view: APIView) -> dict:
        return {}


class Pagination(pagination.PageNumberPagination):
    """`?page=2&page_size=50`: 25 a page unless asked, 100 at most."""

    page_size_query_param = "page_size"
    max_page_size = 100


class LodeRateThrottle(throttling.BaseThrottle):
    """Every API request counts against LODE_RATE_LIMITS["api"] (per user) and
    ["api_ip"] (per client IP), in the same PostgreSQL counters as the pages' limits."""

    action = "api"
    retry_after: int | None = None

    def allow_request(self, request: Request, view: APIView) -> bool:
        try:
            ratelimit.check(request, self.action)
        except ratelimit.RateLimited as exc:
            self.retry_after = exc.retry_after
            return False
        return True

    def wait(self) -> int | None:
        return self.retry_after
