import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

from core import memory  # noqa: E402 - needs the settings and apps loaded above

memory.install()
