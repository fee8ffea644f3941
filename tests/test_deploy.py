"""The production pieces that can be checked without Docker: gunicorn's settings, the compose
file, the Dockerfile, JSON logs and the hashed static files (docs/deploy.md)."""

import json
import logging
import runpy
import subprocess
import sys
from pathlib import Path

import yaml
from django.core.management import call_command

from portal.logging import JsonFormatter, RequestIdFilter
from portal.middleware import request_id_var

ROOT = Path(__file__).resolve().parent.parent


def test_gunicorn_settings(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["workers"] == 3
    assert config["worker_class"] == "sync"
    assert config["timeout"] == 30 and config["graceful_timeout"] < config["timeout"]
    assert config["max_requests"] > 0 and config["max_requests_jitter"] > 0
    assert config["preload_app"] is True
    assert config["accesslog"] == "-"
    # The access log format renders to JSON once gunicorn fills it in.
    sample = config["access_log_format"].replace("%(s)s", "200").replace("%(M)s", "12")
    for atom in ("t", "{x-forwarded-for}i", "m", "U", "q", "B", "f", "a", "{x-request-id}o"):
        sample = sample.replace(f"%({atom})s", "x")
    assert json.loads(sample)["status"] == 200


def test_gunicorn_workers_default_to_twice_the_cores_plus_one_capped(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    import multiprocessing

    monkeypatch.setattr(multiprocessing, "cpu_count", lambda: 64)
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"] == 12
    monkeypatch.setattr(multiprocessing, "cpu_count", lambda: 2)
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"] == 5


def test_compose_file_wires_the_services():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"proxy", "web", "worker", "migrate", "postgres"}
    assert services["postgres"]["image"] == "postgres:16"
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    for name in ("web", "worker"):
        needs = services[name]["depends_on"]
        assert needs["postgres"]["condition"] == "service_healthy"
        assert needs["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["migrate"]
    assert services["worker"]["command"] == ["worker"]
    assert "/readyz" in services["web"]["healthcheck"]["test"]
    assert services["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in services["proxy"]["volumes"]
    assert services["web"]["env_file"] == ".env"


def test_caddy_buffers_for_the_sync_workers():
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "{$LODE_DOMAIN}" in caddyfile
    assert "request_buffers" in caddyfile and "response_buffers" in caddyfile


def test_dockerfile_is_multi_stage_slim_and_unprivileged():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.count("FROM ") >= 3
    assert "python:3.12-slim" in dockerfile
    assert "USER lode" in dockerfile
    assert "collectstatic" in dockerfile
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    assert "pgserver" in dockerfile  # filtered out of the production requirements
    ignored = (ROOT / ".dockerignore").read_text().split()
    for path in (".env", ".venv", ".pgdata", ".git", "backups"):
        assert path in ignored


def test_entrypoint_and_healthcheck_scripts_parse():
    subprocess.run(["sh", "-n", str(ROOT / "bin" / "docker-entrypoint")], check=True)  # noqa: S603, S607
    compile((ROOT / "bin" / "healthcheck").read_text(), "healthcheck", "exec")


def test_json_log_records_are_one_object_per_line():
    record = logging.LogRecord("lode.test", logging.ERROR, __file__, 1, "a\nb %s", ("c",), None)
    token = request_id_var.set("abc123def456")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    try:
        raise ValueError("boom")
    except ValueError:
        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "a\nb c"
    assert entry["level"] == "ERROR" and entry["logger"] == "lode.test"
    assert entry["request_id"] == "abc123def456"
    assert "ValueError: boom" in entry["exception"]


def test_log_format_json_switches_the_console_handler():
    code = (
        "import os, json; os.environ.update(LOG_FORMAT='json', DEBUG='true',"
        " DATABASE_URL='postgres://nobody@127.0.0.1:1/none');"
        "from portal import settings;"
        "print(json.dumps(settings.LOGGING['handlers']['console']['formatter']))"
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out.strip().splitlines()[-1]) == "json"


def test_production_static_files_collect_hashed_and_compressed(settings, tmp_path):
    """The storage production uses must accept every vendored file (source maps included)."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "portal.storage.StaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    hashed = manifest["vendor/chartjs/chart.umd.min.js"]
    assert hashed != "vendor/chartjs/chart.umd.min.js"
    assert (tmp_path / hashed).exists() and (tmp_path / f"{hashed}.gz").exists()
