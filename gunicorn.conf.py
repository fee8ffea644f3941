"""gunicorn settings for Lode: `gunicorn portal.wsgi` picks this file up from the working
directory. Every value can be overridden from the environment (GUNICORN_CMD_ARGS works too).

Sync workers: one request per process at a time, so a slow client ties a worker up for as
long as it takes to send its request or read the answer. Always run a buffering reverse
proxy (Caddy or nginx, see deploy/) in front, which talks to slow clients and hands gunicorn
whole requests. See docs/deploy.md and docs/scaling.md.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# Where to listen: the proxy reaches this address (compose: http://web:8000).
bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{_int('PORT', 8000)}")

# Workers: WEB_CONCURRENCY when set (the usual name on PaaS hosts), otherwise 2 × cores + 1,
# capped so a large machine does not open more database connections than PostgreSQL allows
# (each worker holds one persistent connection, CONN_MAX_AGE=60).
workers = _int(
    "WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, _int("WEB_MAX_WORKERS", 12))
)
worker_class = "sync"
# A request that takes longer than this is killed (the worker restarts). PostgreSQL's own
# statement timeout for web processes is 15 s (LODE_DB_STATEMENT_TIMEOUT_MS), so a slow query
# fails cleanly before gunicorn has to kill anything.
timeout = _int("GUNICORN_TIMEOUT", 30)
# On SIGTERM (deploys, `docker compose stop`), requests in flight get this long to finish.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 25)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle each worker after about this many requests, jittered so they do not all restart
# together: bounds any slow memory growth.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)
# Import Django once in the master, then fork: faster boots and shared memory pages. Django
# opens database connections lazily, per worker, after the fork.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() in {"1", "true", "yes", "on"}
# The proxy's address: X-Forwarded-Proto/-For are trusted only from it. "*" is right when
# only the proxy can reach gunicorn (compose's private network); narrow it otherwise.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
# Heartbeat files in memory, not on the container's overlay file system.
SHM = "/dev/shm"  # noqa: S108 - a RAM disk for heartbeats, not a shared temp dir
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", SHM if os.path.isdir(SHM) else None)
# Recent gunicorn opens a control socket under $HOME by default; Lode does not use it.
control_socket_disable = True

# Logs on stdout/stderr for the container runtime; the access log is one JSON object per
# request (the request id is the one Lode sets in X-Request-ID, also in its own log lines).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = (
    '{"time": "%(t)s", "logger": "gunicorn.access", "remote": "%({x-forwarded-for}i)s", '
    '"method": "%(m)s", "path": "%(U)s", "query": "%(q)s", "status": %(s)s, '
    '"bytes": "%(B)s", "duration_ms": %(M)s, "referer": "%(f)s", "user_agent": "%(a)s", '
    '"request_id": "%({x-request-id}o)s"}'
)
