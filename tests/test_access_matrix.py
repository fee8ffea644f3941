"""Who gets what, on every URL of the project: one table, every role.

Each route the resolver knows has an entry in MATRIX (Django admin's internals count as one
`/admin/` entry; allauth's pages are listed only where the table names them). A route added
later without an entry fails `test_every_route_has_a_matrix_entry`, naming it.

Expectations follow the product rules: internal pages answer 404 to customers and visitors
(their existence is not revealed), log-in-only pages send visitors to the log-in page, the
API answers 401 without credentials and 403 to a role that may not (docs/api.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from ideas import notifications
from ideas.choices import Status
from ideas.models import ReleaseNote
from tests import factories

ROLES = ("visitor", "customer", "other_customer", "sales", "staff", "pm", "admin")
INTERNAL = ("sales", "staff", "pm", "admin")
OUTSIDERS = ("visitor", "customer", "other_customer")

# Expected answers besides plain status codes.
LOGIN = "302 to /accounts/login/"
ADMIN_LOGIN = "302 to /admin/login/"
REDIRECT = "302 anywhere"


def expect(default, **by_role) -> dict[str, object]:
    answers = dict.fromkeys(ROLES, default)
    answers.update(by_role)
    return answers


def everyone(answer) -> dict[str, object]:
    return expect(answer)


def internal_only(answer) -> dict[str, object]:
    """Company people only: 404 for visitors and customers, whichever their account."""
    return expect(answer, **dict.fromkeys(OUTSIDERS, 404))


def triage_only(answer) -> dict[str, object]:
    """PMs and admins only (permissions.can_triage)."""
    return expect(404, pm=answer, admin=answer)


def logged_in(answer) -> dict[str, object]:
    return expect(answer, visitor=LOGIN)


def api(*, visitor=401, customer=403, internal=200, **by_role) -> dict[str, object]:
    answers = expect(internal, visitor=visitor, customer=customer, other_customer=customer)
    answers.update(by_role)
    return answers


@dataclass(frozen=True)
class Check:
    url: Callable[[SimpleNamespace], str]
    expected: dict[str, object]
    method: str = "get"
    data: dict = field(default_factory=dict)
    label: str = ""


def get(url, expected, label="") -> Check:
    return Check(url=url, expected=expected, label=label)


def post(url, expected, data=None, label="") -> Check:
    return Check(url=url, expected=expected, method="post", data=data or {}, label=label)


def r(name: str, *args) -> Callable[[SimpleNamespace], str]:
    """A URL builder: args are attribute paths on the fixture objects (`"public.pk"`)."""

    def build(objects: SimpleNamespace) -> str:
        values = []
        for arg in args:
            value = objects
            for part in arg.split("."):
                value = getattr(value, part)
            values.append(value)
        return reverse(name, args=values)

    return build


def literal(url: str) -> Callable[[SimpleNamespace], str]:
    return lambda objects: url


# Route (namespaced name, or the pattern for an unnamed route) -> the checks run for it.
# POSTs carry an empty or invalid body: they check the permission answer, not the happy path.
MATRIX: dict[str, list[Check]] = {
    "admin/": [get(literal("/admin/"), expect(ADMIN_LOGIN, admin=200))],
    # allauth: only the pages people reach from the site.
    "account_login": [get(r("account_login"), expect(REDIRECT, visitor=200))],
    "account_signup": [get(r("account_signup"), expect(REDIRECT, visitor=200))],
    "account_logout": [get(r("account_logout"), expect(200, visitor=REDIRECT))],
    "account_reset_password": [get(r("account_reset_password"), everyone(200))],
    "account_email": [get(r("account_email"), logged_in(200))],
    "account_change_password": [get(r("account_change_password"), logged_in(200))],
    "healthz": [get(r("healthz"), everyone(200))],
    "readyz": [get(r("readyz"), everyone(200))],
    "schema": [get(r("schema"), everyone(200))],
    "api_docs": [get(r("api_docs"), everyone(200))],
    "api_token": [
        get(r("api_token"), logged_in(200)),
        post(r("api_token"), logged_in(REDIRECT), label="no action"),
    ],
    # Everything Lode holds about me (GDPR): my own data only, behind the log-in.
    "account_data": [get(r("account_data"), logged_in(200))],
    "account_delete": [
        get(r("account_delete"), logged_in(200)),
        # No password: the form again with its error, nothing deleted.
        post(r("account_delete"), logged_in(200), label="no password"),
    ],
    # --- The public forum ---
    "ideas:list": [get(r("ideas:list"), everyone(200))],
    "ideas:roadmap": [get(r("ideas:roadmap"), everyone(200))],
    "ideas:changelog": [get(r("ideas:changelog"), everyone(200))],
    "ideas:changelog_rss": [get(r("ideas:changelog_rss"), everyone(200))],
    "ideas:changelog_atom": [get(r("ideas:changelog_atom"), everyone(200))],
    "ideas:release_note": [
        get(r("ideas:release_note", "note.pk", "note.slug"), everyone(200)),
        get(r("ideas:release_note", "draft.pk", "draft.slug"), everyone(404), label="draft"),
    ],
    "ideas:release_note_new": [
        get(r("ideas:release_note_new"), triage_only(200)),
        # An empty POST leaves the form unbound: the page again, nothing published.
        post(r("ideas:release_note_new"), triage_only(200)),
    ],
    "ideas:notifications": [get(r("ideas:notifications"), logged_in(200))],
    "ideas:notifications_read": [
        get(r("ideas:notifications_read"), logged_in(405)),
        post(r("ideas:notifications_read"), logged_in(REDIRECT)),
    ],
    "ideas:notification_preferences": [
        get(r("ideas:notification_preferences"), logged_in(200)),
        post(r("ideas:notification_preferences"), logged_in(200)),
    ],
    # The signed token is the proof: anyone holding the link may switch that person's email off.
    "ideas:unsubscribe": [
        get(r("ideas:unsubscribe", "unsubscribe_token"), everyone(200)),
        get(r("ideas:unsubscribe", "bad_token"), everyone(404), label="forged token"),
    ],
    "ideas:new": [
        get(r("ideas:new"), logged_in(200)),
        post(r("ideas:new"), logged_in(400)),
    ],
    "ideas:similar": [get(r("ideas:similar"), everyone(200))],
    "ideas:detail": [
        get(r("ideas:detail", "public.pk", "public.slug"), everyone(200)),
        get(r("ideas:detail", "internal.pk", "internal.slug"), internal_only(200), "internal"),
        get(r("ideas:detail", "merged.pk", "merged.slug"), everyone(301), "merged"),
        # Merged into an internal idea: outsiders stay on it, never sent to the hidden one.
        get(
            r("ideas:detail", "merged_away.pk", "merged_away.slug"),
            expect(301, **dict.fromkeys(OUTSIDERS, 200)),
            "merged into an internal idea",
        ),
        get(
            lambda o: reverse("ideas:detail", args=[o.public.pk, "old-slug"]),
            everyone(301),
            "old slug",
        ),
    ],
    "ideas:vote": [
        get(r("ideas:vote", "public.pk"), everyone(405)),
        post(r("ideas:vote", "public.pk"), logged_in(REDIRECT)),
        post(r("ideas:vote", "internal.pk"), internal_only(REDIRECT) | {"visitor": LOGIN}),
    ],
    "ideas:unvote": [
        post(r("ideas:unvote", "public.pk"), logged_in(REDIRECT)),
        post(r("ideas:unvote", "internal.pk"), internal_only(REDIRECT) | {"visitor": LOGIN}),
    ],
    "ideas:comment": [
        post(r("ideas:comment", "public.pk"), logged_in(400), label="empty body"),
        post(r("ideas:comment", "internal.pk"), internal_only(400) | {"visitor": LOGIN}),
    ],
    "ideas:follow": [
        post(r("ideas:follow", "public.pk"), logged_in(REDIRECT)),
        post(r("ideas:follow", "internal.pk"), internal_only(REDIRECT) | {"visitor": LOGIN}),
    ],
    # --- Sales capture and accounts: the company's people ---
    "ideas:capture": [
        get(r("ideas:capture"), internal_only(200)),
        post(r("ideas:capture"), internal_only(400)),
    ],
    # Only the rep who captured the signal sees its receipt.
    "ideas:capture_saved": [get(r("ideas:capture_saved", "signal.pk"), expect(404, sales=200))],
    "ideas:capture_accounts": [get(r("ideas:capture_accounts"), internal_only(200))],
    "ideas:capture_account_clear": [get(r("ideas:capture_account_clear"), internal_only(200))],
    "ideas:capture_account_pick": [
        get(r("ideas:capture_account_pick", "account.pk"), internal_only(200))
    ],
    "ideas:capture_suggestions": [get(r("ideas:capture_suggestions"), internal_only(200))],
    "ideas:my_signals": [get(r("ideas:my_signals"), internal_only(200))],
    "ideas:accounts": [get(r("ideas:accounts"), internal_only(200))],
    "ideas:account_detail": [
        get(r("ideas:account_detail", "account.pk"), internal_only(200)),
        # A customer may not see even their own account's page.
        get(r("ideas:account_detail", "own_account.pk"), internal_only(200), "own account"),
    ],
    # --- Triage, board, insights ---
    "ideas:triage": [get(r("ideas:triage"), triage_only(200))],
    "ideas:triage_idea": [
        get(r("ideas:triage_idea", "public.pk"), triage_only(200)),
        get(r("ideas:triage_idea", "internal.pk"), triage_only(200), "internal"),
    ],
    **{
        f"ideas:triage_{action}": [
            get(r(f"ideas:triage_{action}", "internal.pk"), triage_only(405)),
            post(r(f"ideas:triage_{action}", "internal.pk"), triage_only(400)),
        ]
        for action in ("status", "edit", "visibility", "note", "merge")
    },
    # Every field is optional: an empty form is valid and clears the owner or the inputs.
    **{
        f"ideas:triage_{action}": [
            post(r(f"ideas:triage_{action}", "internal.pk"), triage_only(REDIRECT)),
        ]
        for action in ("owner", "inputs")
    },
    "ideas:triage_signal": [get(r("ideas:triage_signal", "signal.pk"), triage_only(200))],
    # Invalid input: back to the signal's panel with the error as a message.
    "ideas:triage_route": [post(r("ideas:triage_route", "signal.pk"), triage_only(REDIRECT))],
    "ideas:triage_signal_idea": [
        post(r("ideas:triage_signal_idea", "signal.pk"), triage_only(400))
    ],
    "ideas:board": [get(r("ideas:board"), triage_only(200))],
    "ideas:board_csv": [get(r("ideas:board_csv"), triage_only(200))],
    # Nothing selected: back to the board with the error as a message.
    "ideas:board_bulk": [post(r("ideas:board_bulk"), triage_only(REDIRECT))],
    "ideas:board_refresh": [post(r("ideas:board_refresh"), triage_only(REDIRECT))],
    "ideas:weights": [
        get(r("ideas:weights"), triage_only(200)),
        post(r("ideas:weights"), triage_only(400)),
    ],
    # Insights: PMs, staff and admins; not sales (permissions.can_view_insights).
    **{
        name: [get(r(name), expect(404, staff=200, pm=200, admin=200))]
        for name in ("ideas:insights", "ideas:insights_report")
    },
    **{
        name: [get(r(name), expect(404, staff=200, pm=200, admin=200))]
        for name in ("ideas:insights_csv", "ideas:insights_pptx")
    },
    # An empty form is the default question: recomputed, then back to the page.
    "ideas:insights_refresh": [
        get(r("ideas:insights_refresh"), expect(404, staff=405, pm=405, admin=405)),
        post(
            r("ideas:insights_refresh"),
            expect(404, staff=REDIRECT, pm=REDIRECT, admin=REDIRECT),
        ),
    ],
    # --- REST API (docs/api.md, "Who may do what") ---
    "api:ideas": [
        get(r("api:ideas"), everyone(200)),
        post(r("api:ideas"), api(customer=400, internal=400), label="invalid"),
    ],
    "api:similar": [
        get(lambda o: reverse("api:similar") + "?text=export", everyone(200)),
        get(r("api:similar"), everyone(400), label="no text"),
    ],
    "api:idea": [
        get(r("api:idea", "public.pk"), everyone(200)),
        get(r("api:idea", "internal.pk"), api(visitor=404, customer=404), "internal"),
        get(r("api:idea", "merged.pk"), everyone(200), "merged"),
        get(lambda o: reverse("api:idea", args=[o.missing_pk]), everyone(404), "missing"),
    ],
    "api:status": [
        post(r("api:status", "public.pk"), api(internal=403, pm=400, admin=400)),
        post(
            r("api:status", "internal.pk"),
            api(customer=404, internal=403, pm=400, admin=400),
            label="internal",
        ),
    ],
    "api:vote": [
        post(r("api:vote", "public.pk"), api(customer=200)),
        post(r("api:vote", "internal.pk"), api(customer=404), label="internal"),
    ],
    "api:comments": [
        get(r("api:comments", "public.pk"), everyone(200)),
        get(r("api:comments", "internal.pk"), api(visitor=404, customer=404), "internal"),
        post(r("api:comments", "public.pk"), api(customer=400, internal=400), label="empty"),
        post(
            r("api:comments", "public.pk"),
            api(customer=403, internal=201),
            data={"body": "Only for us, please.", "is_internal": True},
            label="private note",
        ),
    ],
    "api:signals": [
        get(r("api:signals"), api()),
        post(r("api:signals"), api(internal=400), label="invalid"),
    ],
    "api:accounts": [get(r("api:accounts"), api())],
    "api:account": [
        get(r("api:account", "account.external_id"), api()),
        Check(
            url=r("api:account", "account.external_id"),
            expected=api(internal=403, pm=400, admin=400),
            method="put",
            label="upsert",
        ),
    ],
    "api:categories": [get(r("api:categories"), everyone(200))],
    "api/v1/^(?P<path>.*)$": [get(literal("/api/v1/no-such-thing/"), everyone(404))],
}


# --- Route discovery ---------------------------------------------------------------------------


def route_keys(patterns=None, prefix: str = "", namespace: str = "") -> set[str]:
    """Every route: its namespaced name, or its full pattern when it has none. Django admin
    counts as one `admin/` route; allauth's routes only where MATRIX lists them."""
    keys: set[str] = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                keys.add(prefix + str(pattern.pattern))
                continue
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            keys |= route_keys(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                key = f"{namespace}:{pattern.name}" if namespace else pattern.name
            else:
                key = prefix + str(pattern.pattern)
            if pattern.callback.__module__.startswith("allauth.") and key not in MATRIX:
                continue
            keys.add(key)
    return keys


def test_every_route_has_a_matrix_entry():
    found = route_keys()
    missing = sorted(found - MATRIX.keys())
    stale = sorted(MATRIX.keys() - found)
    assert not missing, f"Routes without an access-matrix entry: {missing}"
    assert not stale, f"Matrix entries for routes that no longer exist: {stale}"


def test_the_matrix_runs_every_role_on_every_route():
    checks = [check for checks in MATRIX.values() for check in checks]
    assert all(set(check.expected) == set(ROLES) for check in checks)
    # For the report: routes x roles, and the individual requests made.
    print(f"{len(MATRIX)} routes x {len(ROLES)} roles; {len(checks) * len(ROLES)} checks")


# --- The checks ---------------------------------------------------------------------------------


@pytest.fixture
def objects(db, customer, other_customer, sales, staff, pm, admin_user):
    public = factories.IdeaFactory(title="Export dashboards to PDF", author=customer)
    internal = factories.InternalIdeaFactory(title="Internal pricing rework", author=staff)
    merged = factories.IdeaFactory(
        title="PDF export of dashboards", merged_into=public, status=Status.NEW
    )
    merged_away = factories.IdeaFactory(title="Ledger sync", merged_into=internal)
    account = factories.AccountFactory(name="Globex", external_id="CRM-GLOBEX")
    signal = factories.SignalFactory(captured_by=sales, account=account, idea=internal)
    note = ReleaseNote.objects.create(
        title="PDF export", slug="pdf-export", body="Shipped.", published_at=timezone.now()
    )
    draft = ReleaseNote.objects.create(title="Coming soon", slug="coming-soon", body="Soon.")
    users = {
        "customer": customer,
        "other_customer": other_customer,
        "sales": sales,
        "staff": staff,
        "pm": pm,
        "admin": admin_user,
    }
    return SimpleNamespace(
        public=public,
        internal=internal,
        merged=merged,
        merged_away=merged_away,
        account=account,
        own_account=customer.account,
        signal=signal,
        note=note,
        draft=draft,
        unsubscribe_token=notifications.unsubscribe_token(customer),
        bad_token="not-a-signed-token",
        missing_pk=internal.pk + 1000,
        users=users,
        tokens={role: Token.objects.create(user=user).key for role, user in users.items()},
    )


def answer_matches(response, expected) -> bool:
    location = response.get("Location", "")
    if expected == LOGIN:
        return response.status_code == 302 and location.startswith("/accounts/login/")
    if expected == ADMIN_LOGIN:
        return response.status_code == 302 and location.startswith("/admin/login/")
    if expected == REDIRECT:
        return response.status_code == 302
    return response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(role, objects, client):
    """Every check of MATRIX as one role: pages with a session, the API with a token."""
    api_client = Client()
    if role != "visitor":
        client.force_login(objects.users[role])
        api_client.defaults["HTTP_AUTHORIZATION"] = f"Token {objects.tokens[role]}"
    failures = []
    for route, checks in MATRIX.items():
        for check in checks:
            url = check.url(objects)
            label = f" [{check.label}]" if check.label else ""
            name = f"{check.method.upper()} {url} ({route}{label})"
            if route.startswith("api:"):
                send = getattr(api_client, check.method)
                kwargs = {"content_type": "application/json"}
            else:
                send, kwargs = getattr(client, check.method), {}
            try:
                response = send(url, check.data, **kwargs)
            except Exception as exc:  # a 500: reported with the rest, not a stop
                failures.append(f"{name}: raised {exc!r}")
                continue
            expected = check.expected[role]
            if not answer_matches(response, expected):
                got = response.status_code
                if got in (301, 302):
                    got = f"{got} to {response['Location']}"
                failures.append(f"{name}: expected {expected}, got {got}")
    assert not failures, f"{role}:\n" + "\n".join(failures)
