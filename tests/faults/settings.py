"""Settings of the web server that the fault tests start: production settings from the
environment, except that static files need no collectstatic run."""

from config.settings import *  # noqa: F403

STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
