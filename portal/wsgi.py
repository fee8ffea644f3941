"""WSGI entry point for gunicorn: `gunicorn portal.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# Web processes get the database statement and lock timeouts (portal/settings.py).
os.environ.setdefault("LODE_WEB_PROCESS", "true")
application = get_wsgi_application()
