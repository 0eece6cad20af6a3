"""Question import and export in the Wagtail admin (the views and hooks are in ``admin``)."""

from workspace.interchange import admin  # noqa: F401 (registers its hooks)
