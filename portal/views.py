import sys

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views import defaults

from ideas import services
from portal.forms import AccountDeleteForm


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: answers 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    """For deploys and load balancers: 200 once the database answers and every migration is
    applied, 503 otherwise (so a new release takes no traffic before `migrate` has run)."""
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    if pending:
        return JsonResponse(
            {"status": "error", "database": "ok", "unapplied_migrations": len(pending)},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok", "migrations": "applied"})


def server_error(request: HttpRequest) -> HttpResponse:
    """Every uncaught error ends here. A lost database connection (a restart, a failover)
    gets a calm 503 with Retry-After instead of a 500; nothing here touches the database."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)) or (
        isinstance(error, DatabaseError) and "server closed the connection" in str(error)
    ):
        # The broken connection is closed at the end of this request (CONN_HEALTH_CHECKS
        # and close_if_unusable_or_obsolete), so the next request reconnects.
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "5"
        return response
    return defaults.server_error(request)


@login_required
def account_data(request: HttpRequest) -> HttpResponse:
    """Download everything Lode holds about me, as one JSON file."""
    response = JsonResponse(
        services.user_export(user=request.user), json_dumps_params={"indent": 2}
    )
    response["Content-Disposition"] = 'attachment; filename="lode-my-data.json"'
    return response


@login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    """Delete my account after re-entering my password: GET asks, POST does it."""
    form = AccountDeleteForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_delete(user=request.user, actor=request.user)
        logout(request)
        messages.success(request, "Your account is deleted. Your votes still count, anonymously.")
        return redirect("ideas:list")
    return render(request, "account/delete.html", {"form": form})


def bench_ceiling(request: HttpRequest) -> HttpResponse:
    """The framework ceiling for bench/run.py: base.html through the full middleware stack,
    with no queries beyond the session and user. Routed only when LODE_BENCH_CEILING=true."""
    return render(request, "base.html")
