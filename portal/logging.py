"""One-line log records: a request id on every record, CR/LF escaped, and a security logger.

Security events go to the `lode.security` logger through `security_event()`, always as
`event=<name> key=value …` with the actor's id, the target's id and the client IP — never an
email of a stranger, a password, a token or a revenue figure.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.http import HttpRequest

security_logger = logging.getLogger("lode.security")


def escape(text: str) -> str:
    """Make log injection visible: a CR or LF in user input cannot start a fake record."""
    return text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record, '-' outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        from portal.middleware import request_id_var

        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class OneLineFormatter(logging.Formatter):
    """The formatted record, tracebacks included, on one line with CR/LF escaped."""

    def format(self, record: logging.LogRecord) -> str:
        return escape(super().format(record))


def email_fingerprint(email: str) -> str:
    """The domain and a short hash: enough to correlate attempts, not to read the address."""
    email = (email or "").strip().lower()
    domain = email.rpartition("@")[2] or "-"
    digest = hashlib.sha256(email.encode()).hexdigest()[:12]
    return f"{digest}@{domain}"


def security_event(event: str, request: HttpRequest | None = None, **fields: Any) -> None:
    """Log one security event with the actor and client IP taken from the request."""
    if request is not None:
        from ideas.ratelimit import client_ip

        user = getattr(request, "user", None)
        fields.setdefault("actor", user.pk if user is not None and user.is_authenticated else "-")
        fields.setdefault("ip", client_ip(request))
        fields.setdefault("path", request.path)
    parts = " ".join(f"{key}={value}" for key, value in fields.items())
    security_logger.warning("event=%s %s", event, parts)


class JsonFormatter(logging.Formatter):
    """One JSON object per record (LOG_FORMAT=json), for log collectors that parse JSON:
    time, level, logger, request_id, message, and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        import json

        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # json.dumps escapes CR/LF inside strings, so a record stays on one line.
        return json.dumps(entry, default=str)
