"""The API's exception handler: every error is JSON with a clear `detail` or per-field
messages, and nothing unexpected leaks internals."""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from ideas import ratelimit
from ideas.services import ServiceError

# Django's own logger for failed requests, so a 500 here reaches the same handlers (and the
# admins' error emails) as one from a page.
request_logger = logging.getLogger("django.request")


class Refused(exceptions.APIException):
    """A service's rule refused the action (ServiceError); its message is safe to show."""

    status_code = 400
    default_detail = "The request was refused."
    default_code = "refused"


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "too_large"


def exception_handler(exc: Exception, context: dict) -> Response:
    """DRF's handler, plus the domain's errors; anything unexpected becomes a bare 500 that
    names no internals (the traceback goes to the log)."""
    if isinstance(exc, ServiceError):
        exc = Refused(str(exc))
    elif isinstance(exc, ratelimit.RateLimited):
        exc = exceptions.Throttled(wait=exc.retry_after)
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, SuspiciousOperation):
        # Django answers these with a bare 400 on the pages; here in JSON.
        exc = exceptions.ParseError("The request was malformed.")
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    response = drf_exception_handler(exc, context)
    if response is not None:
        return response
    request = context.get("request")
    request_logger.error(
        "Internal Server Error: %s",
        getattr(request, "path", "?"),
        exc_info=exc,
        extra={"status_code": 500, "request": getattr(request, "_request", None)},
    )
    set_rollback()
    return Response({"detail": "Something went wrong on our side; it has been logged."}, 500)
