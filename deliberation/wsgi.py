"""WSGI entry point: gunicorn serves HTTP in production (DESIGN.md §4)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deliberation.settings")
application = get_wsgi_application()
