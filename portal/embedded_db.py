"""The embedded PostgreSQL that Lode runs on when DATABASE_URL is unset.

pgserver ships real PostgreSQL binaries in a wheel. The server keeps running between
commands (so a second `manage.py` call or `make run` starts in seconds) and is stopped
explicitly by `manage.py db_stop`, which `make run` calls on Ctrl-C.
"""

import logging
import os
import subprocess
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PGDATA = Path(os.environ.get("LODE_PGDATA", BASE_DIR / ".pgdata"))
DATABASE_NAME = "lode"

logger = logging.getLogger(__name__)


class EmbeddedDatabaseError(RuntimeError):
    pass


def _server():
    # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); the fallback is fine.
    warnings.filterwarnings("ignore", module="platformdirs")
    try:
        import pgserver
    except ImportError as exc:  # pragma: no cover - depends on the interpreter
        raise EmbeddedDatabaseError(
            "The embedded PostgreSQL (pgserver) is not installed: it ships wheels for "
            "Python up to 3.12. Use Python 3.12, or set DATABASE_URL to a PostgreSQL server."
        ) from exc
    return pgserver.get_server(PGDATA, cleanup_mode=None)


def ensure_running() -> dict:
    """Start the server if needed, create the Lode database, return Django's DATABASES entry."""
    from pgserver.utils import PostmasterInfo

    server = _server()
    # pgserver caches one handle per data folder and trusts it; after `stop()` (a restart
    # test, an operator) ask the data folder itself whether the server runs.
    current = PostmasterInfo.read_from_pgdata(PGDATA)
    if current is None or not current.is_running():
        with server._lock:
            server.ensure_postgres_running()
    info = server.get_postmaster_info()
    host = str(info.socket_dir)
    port = str(info.port or 5432)
    # DATABASE_NAME is a constant of this module, never user input.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": host,
        "PORT": port,
    }


def stop() -> bool:
    """Stop the embedded server if it runs; return whether it was running."""
    if not (PGDATA / "postmaster.pid").exists():
        return False
    from pgserver._commands import pg_ctl

    user = "pgserver" if os.geteuid() == 0 else None
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=user)
    except subprocess.CalledProcessError:
        return False
    return True
