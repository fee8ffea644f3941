"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# Web processes get the database statement and lock timeouts (portal/settings.py).
os.environ.setdefault("LODE_WEB_PROCESS", "true")
application = get_asgi_application()
