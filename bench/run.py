"""Load-test Lode under gunicorn with production settings, over bulk data. `make bench`.

    .venv/bin/python bench/run.py [--ideas 100000 --votes 1000000 ...] [--seconds 4]
                                  [--concurrency 1,8,32] [--only list_anon,search] [--keep]
                                  [--database lode_bench] [--reuse]

1. Creates a scratch database `lode_bench` on the embedded PostgreSQL (dropped at the end),
   migrates it and fills it with `manage.py seed_bulk` (full size by default).
2. Starts `gunicorn portal.wsgi -w 2` on 127.0.0.1 with DEBUG=false, a random SECRET_KEY and
   LODE_BENCH_CEILING=true (the framework-ceiling page), after `collectstatic`.
3. Logs people in by writing sessions straight into the database (a PM, a customer, and
   fresh voters), then drives every endpoint with an asyncio/httpx client at 1, 8 and 32
   concurrent clients for a fixed time each: requests/s, p50/p95/p99, status codes.
4. Checks the votes (acknowledged POSTs == new rows, counters == rows), measures each
   gunicorn worker's RSS, runs EXPLAIN (ANALYZE, BUFFERS) on each page's slowest query,
   writes bench/results/<timestamp>.json (+ -explain.txt) and prints a table.
Gunicorn is stopped and the database dropped in `finally`, whatever happens. See
docs/performance.md for the targets and the latest figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PY = sys.executable
DB_NAME = "lode_bench"

# Targets from the issue (docs/performance.md).
CEILING_SHARE = 0.5  # anonymous list throughput ≥ 50% of the ceiling's
P95_MS = 100  # every page at 8 clients
SEARCH_P95_MS = 50  # search and similar
VOTES_PER_S = 300
INSIGHTS_S = 1.0
RSS_MB = 150

SEARCH_TERMS = [
    "dashboard export",
    "single sign-on",
    "slack notifications",
    "offline mobile",
    "audit log",
    "gantt chart",
    "time tracking",
    "custom fields",
    "jira integration",
    "recurring tasks",
]
SIMILAR_TITLES = [
    "Export dashboards to PDF every week",
    "Login with Okta SSO",
    "Dark mode for the mobile app",
    "Sync tasks with Jira",
    "Bulk edit due dates",
    "Show a burndown chart per sprint",
]


@dataclass
class Cell:
    endpoint: str
    concurrency: int
    requests: int = 0
    seconds: float = 0.0
    rps: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    warmup_statuses: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    error: str = ""


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(args: list[str], env: dict[str, str], label: str) -> float:
    started = time.perf_counter()
    log(f"{label}: {' '.join(args[1:])}")
    subprocess.run(args, env=env, cwd=ROOT, check=True)  # noqa: S603
    return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


# The server ------------------------------------------------------------------------------


def embedded_server() -> tuple[str, int]:
    """Start the embedded PostgreSQL if needed; its socket directory and port."""
    sys.path.insert(0, str(ROOT))
    from portal import embedded_db

    settings = embedded_db.ensure_running()
    return settings["HOST"], int(settings["PORT"])


def admin_sql(host: str, port: int, *statements: str) -> None:
    import psycopg2

    conn = psycopg2.connect(host=host, port=port, user="postgres", dbname="postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        conn.close()


def start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603
        [
            str(Path(PY).with_name("gunicorn")),
            "portal.wsgi",
            # 0: gunicorn.conf.py's production default, 2 × cores + 1.
            *(["-w", str(workers)] if workers else []),
            "-b",
            f"127.0.0.1:{port}",
            "--backlog",
            "256",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            import psutil

            ours = psutil.Process(process.pid).children()  # not some other server's answer
            if ours and httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).is_success:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def stop_gunicorn(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def worker_rss_mb(process: subprocess.Popen) -> list[float]:
    import psutil

    master = psutil.Process(process.pid)
    return [round(child.memory_info().rss / 2**20, 1) for child in master.children()]


# Fixtures: people and sessions written straight into the database ----------------------


def prepare_fixtures(voters: int) -> dict:
    """Sessions for a PM, a customer and `voters` fresh customers; pages' URLs; vote pairs."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from ideas.choices import OPEN_STATUSES, Visibility
    from ideas.models import Idea
    from portal.models import Role, User

    def session_for(user: User) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        # A PM has passed the second factor that production requires (RequireMfaMiddleware).
        store["lode_mfa_ok"] = True
        store.create()
        return store.session_key

    run_id = secrets.token_hex(4)  # a --reuse run makes new people
    pm = User.objects.create_user(f"pm-{run_id}@bench.example", role=Role.PM, name="Bench PM")
    customer = User.objects.filter(role=Role.CUSTOMER, account__isnull=False).first()
    people = User.objects.bulk_create(
        User(email=f"voter{n}-{run_id}@bench.example", role=Role.CUSTOMER, password="!")  # noqa: S106
        for n in range(voters)
    )
    ideas = list(
        Idea.objects.filter(
            visibility=Visibility.PUBLIC, status__in=OPEN_STATUSES, merged_into__isnull=True
        )
        .order_by("-vote_count")
        .values_list("pk", "slug")[:2000]
    )
    return {
        "pm": session_for(pm),
        "pm_id": pm.pk,
        "customer": session_for(customer),
        "voters": [session_for(user) for user in people],
        "voter_ids": [user.pk for user in people],
        "ideas": [f"/ideas/{pk}-{slug}/" for pk, slug in ideas[:500]],
        "vote_ideas": [pk for pk, _ in ideas],
    }


def check_votes(voter_ids: list[int], acknowledged: int, sent: int) -> dict:
    """Every POST answered 200 (the vote box: counted) added one row; counters match rows."""
    from django.db import connection

    from ideas.models import Vote

    rows = Vote.objects.filter(user_id__in=voter_ids).count()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT COUNT(*) FROM ideas_idea i
              LEFT JOIN (SELECT idea_id, COUNT(*) AS n FROM ideas_vote GROUP BY idea_id) v
                ON v.idea_id = i.id
             WHERE i.vote_count <> COALESCE(v.n, 0)
            """
        )
        wrong = cursor.fetchone()[0]
        cursor.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM ideas_vote GROUP BY user_id, idea_id "
            "HAVING COUNT(*) > 1) d"
        )
        doubled = cursor.fetchone()[0]
    return {
        "sent": sent,
        "acknowledged": acknowledged,
        "rows": rows,
        "ideas_with_wrong_counter": wrong,
        "doubled": doubled,
        "ok": rows == acknowledged == sent and wrong == 0 and doubled == 0,
    }


def explain_pages(fixtures: dict) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the slowest query behind each page, in this process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from ideas import insights
    from ideas.models import Idea
    from portal.models import User

    pm = User.objects.get(pk=fixtures["pm_id"])
    anonymous, staff = Client(), Client()
    staff.force_login(pm)
    idea = Idea.objects.get(pk=fixtures["vote_ideas"][0])
    pages = [
        ("idea list (trending)", anonymous, "/"),
        ("idea list (top)", anonymous, "/?sort=top"),
        ("search", anonymous, "/?q=dashboard+export"),
        ("similar ideas", anonymous, "/ideas/similar/?title=Export+dashboards+to+PDF"),
        ("idea page", anonymous, idea.get_absolute_url()),
        ("triage", staff, "/triage/"),
        ("board", staff, "/board/"),
        ("insights (365 days)", staff, "/insights/?range=365"),
    ]
    out = []
    # The PM has passed 2FA in this picture, as in the load (see prepare_fixtures). A cache
    # of this process's own: the plans shown are the pages' queries, not cache reads (and
    # EXPLAIN ANALYZE of a cache INSERT would really insert).
    local_cache = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(
        ALLOWED_HOSTS=["testserver"],
        SECURE_SSL_REDIRECT=False,
        LODE_MFA_REQUIRED=False,
        CACHES=local_cache,
    ):
        for label, client, url in pages:
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                elapsed = time.perf_counter() - started
            reads = [
                q
                for q in queries.captured_queries
                if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
            ]
            slowest = max(reads, key=lambda q: float(q["time"]))
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
                plan = "\n".join(row[0] for row in cursor.fetchall())
            out.append(
                f"## {label}: GET {url} -> {response.status_code}, {len(queries)} queries, "
                f"{elapsed * 1000:.0f} ms in-process; slowest query "
                f"{float(slowest['time']) * 1000:.0f} ms\n\n{slowest['sql'][:3000]}\n\n{plan}\n"
            )
        # The insights module's main function, timed directly for the 365-day target.
        started = time.perf_counter()
        insights.compute(insights.InsightsQuery(period=insights.Period.last(365)))
        out.append(f"## insights.compute(last 365 days): {time.perf_counter() - started:.3f} s\n")
    return "\n".join(out)


# The load ---------------------------------------------------------------------------------


async def drive(
    base: str, make_request, concurrency: int, seconds: float, min_requests: int
) -> tuple[list[float], dict[str, int], list[str]]:
    """`concurrency` clients in a closed loop for `seconds` (and at least `min_requests`)."""
    import httpx

    latencies: list[float] = []
    statuses: dict[str, int] = {}
    failures: list[str] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        deadline = time.perf_counter() + seconds
        hard_deadline = time.perf_counter() + seconds * 4

        async def one_client(number: int) -> None:
            while True:
                now = time.perf_counter()
                if now > hard_deadline or (now > deadline and len(latencies) >= min_requests):
                    return
                method, url, headers, data = make_request()
                started = time.perf_counter()
                try:
                    response = await client.request(method, url, headers=headers, data=data)
                    code = str(response.status_code)
                except httpx.HTTPError as exc:
                    code = type(exc).__name__
                latencies.append(time.perf_counter() - started)
                statuses[code] = statuses.get(code, 0) + 1
                # Every endpoint answers 200 when it works: a redirect (to the log-in page,
                # to the 2FA set-up) means the figure is not the page's, so it is an error.
                if code != "200" and len(failures) < 5:
                    failures.append(f"{method} {url} -> {code}")

        await asyncio.gather(*(one_client(n) for n in range(concurrency)))
    return latencies, statuses, failures


def endpoints(fixtures: dict) -> dict:
    """name -> a function returning (method, url, headers, body) for the next request."""
    counter = {"n": 0}

    def cycle(items: list):
        def pick():
            counter["n"] += 1
            return items[counter["n"] % len(items)]

        return pick

    def cookie(session: str | None, csrf: str | None = None) -> dict[str, str]:
        parts = []
        if session:
            parts.append(f"sessionid={session}")
        if csrf:
            parts.append(f"csrftoken={csrf}")
        return {"Cookie": "; ".join(parts)} if parts else {}

    idea_page = cycle(fixtures["ideas"])
    term = cycle(SEARCH_TERMS)
    title = cycle(SIMILAR_TITLES)
    # Each vote is a new (voter, idea) pair: every acknowledged POST must add exactly one row.
    pairs = ((session, idea) for idea in fixtures["vote_ideas"] for session in fixtures["voters"])
    csrf = secrets.token_hex(16)  # 32 characters: Django accepts the unmasked secret

    def vote():
        session, idea = next(pairs)
        headers = cookie(session, csrf) | {"X-CSRFToken": csrf, "HX-Request": "true"}
        return "POST", f"/ideas/{idea}/vote/", headers, {}

    customer, pm = fixtures["customer"], fixtures["pm"]
    return {
        "ceiling": lambda: ("GET", "/bench/ceiling/", {}, None),
        "list_anon": lambda: ("GET", "/", {}, None),
        "list_logged_in": lambda: ("GET", "/", cookie(customer), None),
        "search": lambda: ("GET", "/?" + urllib.parse.urlencode({"q": term()}), {}, None),
        "similar": lambda: (
            "GET",
            "/ideas/similar/?" + urllib.parse.urlencode({"title": title()}),
            {"HX-Request": "true"},
            None,
        ),
        "idea_page": lambda: ("GET", idea_page(), {}, None),
        "vote_post": vote,
        "triage": lambda: ("GET", "/triage/", cookie(pm), None),
        "board": lambda: ("GET", "/board/", cookie(pm), None),
        "insights_365": lambda: ("GET", "/insights/?range=365", cookie(pm), None),
    }


def measure(base: str, fixtures: dict, args) -> list[Cell]:
    cells = []
    makers = endpoints(fixtures)
    names = [n for n in makers if not args.only or n in args.only.split(",")]
    for name in names:
        too_slow = 0.0
        for concurrency in [int(c) for c in args.concurrency.split(",")]:
            cell = Cell(name, concurrency)
            if too_slow:
                # More clients would only queue behind the workers (and hit gunicorn's 30 s
                # timeout): reported as skipped, and the targets count as missed.
                cell.error = f"skipped: p50 {too_slow:.0f} ms at fewer clients"
                log(f"{name:<15} c={concurrency:<3} {cell.error}")
                cells.append(cell)
                continue
            try:
                # A short warm-up so each worker has its connection and templates.
                _, cell.warmup_statuses, _ = asyncio.run(
                    drive(base, makers[name], concurrency, 0.3, concurrency)
                )
                started = time.perf_counter()
                latencies, statuses, failures = asyncio.run(
                    drive(base, makers[name], concurrency, args.seconds, args.min_requests)
                )
                cell.seconds = time.perf_counter() - started
                cell.requests = len(latencies)
                cell.rps = cell.requests / cell.seconds
                ms = [x * 1000 for x in latencies]
                cell.p50_ms, cell.p95_ms, cell.p99_ms = (
                    percentile(ms, 0.5),
                    percentile(ms, 0.95),
                    percentile(ms, 0.99),
                )
                cell.max_ms = max(ms, default=0.0)
                cell.statuses = statuses
                cell.errors = sum(n for code, n in statuses.items() if code != "200")
                cell.error = "; ".join(failures)
            except Exception as exc:  # one endpoint failing must not stop the others
                cell.error = f"{type(exc).__name__}: {exc}"
                cell.errors = max(cell.errors, 1)
            log(
                f"{name:<15} c={concurrency:<3} {cell.requests:>6} req {cell.rps:>7.1f}/s "
                f"p50 {cell.p50_ms:6.1f} p95 {cell.p95_ms:6.1f} p99 {cell.p99_ms:6.1f} ms "
                f"{cell.statuses} {cell.error}"
            )
            cells.append(cell)
            if cell.p50_ms > args.skip_above_ms:
                too_slow = cell.p50_ms
    return cells


# Verdicts and output ---------------------------------------------------------------------


def verdicts(cells: list[Cell], votes: dict, rss: list[float]) -> list[tuple[str, bool, str]]:
    def cell(name: str, c: int) -> Cell | None:
        return next((x for x in cells if x.endpoint == name and x.concurrency == c), None)

    out = []
    ceiling = max((x.rps for x in cells if x.endpoint == "ceiling"), default=0)
    anon = max((x.rps for x in cells if x.endpoint == "list_anon"), default=0)
    if ceiling:
        out.append(
            (
                "anonymous list ≥ 50% of ceiling throughput",
                anon >= CEILING_SHARE * ceiling,
                f"{anon:.0f}/s vs {ceiling:.0f}/s ({anon / ceiling:.0%})",
            )
        )
    for x in cells:
        if x.concurrency == 8 and x.endpoint not in ("vote_post",) and not x.requests:
            out.append((f"{x.endpoint} p95 at 8", False, x.error or "no requests"))
        elif x.concurrency == 8 and x.endpoint not in ("vote_post",):
            limit = SEARCH_P95_MS if x.endpoint in ("search", "similar") else P95_MS
            out.append(
                (f"{x.endpoint} p95 < {limit} ms at 8", x.p95_ms < limit, f"{x.p95_ms:.0f} ms")
            )
    best_votes = max((x.rps for x in cells if x.endpoint == "vote_post"), default=0)
    out.append((f"votes ≥ {VOTES_PER_S}/s", best_votes >= VOTES_PER_S, f"{best_votes:.0f}/s"))
    out.append(("no lost or doubled vote", votes.get("ok", False), json.dumps(votes)))
    one = cell("insights_365", 1)
    if one:
        out.append(
            ("insights 365 days < 1 s", one.p95_ms < INSIGHTS_S * 1000, f"p95 {one.p95_ms:.0f} ms")
        )
    out.append((f"worker RSS ≤ {RSS_MB} MB", bool(rss) and max(rss) <= RSS_MB, f"{rss} MB"))
    errors = sum(x.errors for x in cells)
    out.append(("zero errors", errors == 0, f"{errors} errors"))
    return out


def table(cells: list[Cell]) -> str:
    lines = [
        "| endpoint | clients | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for x in cells:
        lines.append(
            f"| {x.endpoint} | {x.concurrency} | {x.requests} | {x.rps:.1f} | {x.p50_ms:.1f} | "
            f"{x.p95_ms:.1f} | {x.p99_ms:.1f} | {x.errors} |"
        )
    return "\n".join(lines)


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        memory_gb = round(int(mem) / 2**20, 1)
    except (OSError, IndexError, ValueError):
        memory_gb = None
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": memory_gb,
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ideas", type=int, default=100_000)
    parser.add_argument("--votes", type=int, default=1_000_000)
    parser.add_argument("--signals", type=int, default=200_000)
    parser.add_argument("--comments", type=int, default=300_000)
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--accounts", type=int, default=2_000)
    parser.add_argument("--seconds", type=float, default=4.0, help="per endpoint and level")
    parser.add_argument("--min-requests", type=int, default=5)
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--only", default="", help="comma-separated endpoint names")
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="gunicorn worker processes (default: production's 2 × cores + 1)",
    )
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--voters", type=int, default=2000)
    parser.add_argument(
        "--skip-above-ms",
        type=float,
        default=1500,
        help="skip higher concurrency for an endpoint whose p50 is already above this",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--database", default=DB_NAME, help="scratch database name")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse the scratch database a --keep run left (migrate it, skip the seeding)",
    )
    args = parser.parse_args()
    if not args.database.replace("_", "").isalnum():
        parser.error("--database takes letters, digits and underscores")
    db_name = args.database

    started = time.perf_counter()

    def interrupted(signum, frame):
        raise KeyboardInterrupt  # so `finally` stops gunicorn and drops the database

    signal.signal(signal.SIGTERM, interrupted)
    if not args.port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    host, pg_port = embedded_server()
    secret = secrets.token_urlsafe(50)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LODE_"))},
        "DATABASE_URL": (
            f"postgres://postgres@{urllib.parse.quote(host, safe='')}:{pg_port}/{db_name}"
        ),
        "SECRET_KEY": secret,
        "LODE_DOTENV": str(ROOT / "bench" / "no.env"),  # never the developer's .env
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "LOG_LEVEL": "WARNING",
        # gunicorn.conf.py: no access log line per request during the load.
        "GUNICORN_ACCESS_LOG": "",
        "GUNICORN_LOG_LEVEL": "warning",
    }
    dev_env = env | {"DEBUG": "true"}
    prod_env = env | {
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback
        "SECURE_COOKIES": "false",
        "LODE_WEB_PROCESS": "true",
        "LODE_BENCH_CEILING": "true",
        # The load comes from one IP and a few users: abuse limits would answer 429.
        "LODE_LIMIT_VOTES": "1000000/m",
        "LODE_LIMIT_VOTES_IP": "1000000/m",
        "LODE_LIMIT_SIMILAR_IP": "1000000/m",
    }
    report: dict = {"machine": machine(), "args": vars(args)}
    gunicorn = None
    log(f"Scratch database {db_name} on {host}:{pg_port}")
    if not args.reuse:
        admin_sql(host, pg_port, f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
        admin_sql(host, pg_port, f"CREATE DATABASE {db_name}")
    try:
        manage = [PY, "manage.py"]
        report["migrate_s"] = run([*manage, "migrate", "--noinput", "-v", "0"], dev_env, "migrate")
        run([*manage, "createcachetable"], dev_env, "cache table")
        report["seed_s"] = (
            0.0
            if args.reuse
            else run(
                [
                    *manage,
                    "seed_bulk",
                    *(f"--{k}={getattr(args, k)}" for k in ("ideas", "votes", "signals")),
                    *(f"--{k}={getattr(args, k)}" for k in ("comments", "users", "accounts")),
                ],
                dev_env,
                "seed",
            )
        )
        run([*manage, "collectstatic", "--noinput", "-v", "0"], prod_env, "collectstatic")
        # What the worker and cron do in production (docs/deploy.md): the insights presets
        # are computed in the background, so web workers answer them from the cache.
        report["insights_warm_s"] = run(
            [*manage, "refresh_insights", "--now"], prod_env, "insights presets"
        )
        os.environ.update(dev_env | {"DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1"})
        sys.path.insert(0, str(ROOT))
        fixtures = prepare_fixtures(args.voters)
        gunicorn = start_gunicorn(prod_env, args.port, args.workers)
        cells = measure(f"http://127.0.0.1:{args.port}", fixtures, args)
        report["rss_mb"] = rss = worker_rss_mb(gunicorn)
        # Warm-up requests vote too: they count in the check.
        vote_cells = [x for x in cells if x.endpoint == "vote_post"]
        acknowledged = sum(
            x.statuses.get("200", 0) + x.warmup_statuses.get("200", 0) for x in vote_cells
        )
        sent = sum(sum(x.statuses.values()) + sum(x.warmup_statuses.values()) for x in vote_cells)
        report["votes"] = votes = check_votes(fixtures["voter_ids"], acknowledged, sent)
        stop_gunicorn(gunicorn)
        try:
            explain = explain_pages(fixtures)
        except Exception as exc:
            explain = f"EXPLAIN failed: {type(exc).__name__}: {exc}"
        report["cells"] = [asdict(x) for x in cells]
        report["verdicts"] = [
            {"target": t, "met": ok, "measured": m} for t, ok, m in verdicts(cells, votes, rss)
        ]
        report["total_s"] = time.perf_counter() - started
        RESULTS.mkdir(exist_ok=True)
        name = time.strftime("%Y%m%d-%H%M%S")
        (RESULTS / f"{name}.json").write_text(json.dumps(report, indent=2, default=str))
        (RESULTS / f"{name}-explain.txt").write_text(explain)
        print(table(cells))
        print()
        for v in report["verdicts"]:
            print(f"{'MET   ' if v['met'] else 'MISSED'} {v['target']}: {v['measured']}")
        print(
            f"\nSeeded in {report['seed_s']:.0f} s; total {report['total_s']:.0f} s; "
            f"worker RSS {rss} MB; results in bench/results/{name}.json"
        )
        return 0 if all(v["met"] for v in report["verdicts"]) else 1
    finally:
        stop_gunicorn(gunicorn)
        from django.apps import apps

        if apps.ready:  # Django was set up (the fixtures), so it may hold connections
            from django.db import connections

            connections.close_all()
        if not args.keep:
            admin_sql(host, pg_port, f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
            log(f"Dropped {db_name}")


if __name__ == "__main__":
    sys.exit(main())
