"""The privacy notice and the accessibility statement, as data, for a fresh installation.

``cms/content/pages/*.yaml`` hold title, slug and body HTML. ``load_standard_pages`` creates
them as children of the home page, or leaves a page alone once it exists: editors maintain the
texts in Wagtail from then on. The page type is passed in (a title + rich-text body page), so
this module works with whichever standard page type the cms provides.
"""

from pathlib import Path

import yaml
from django.db import transaction
from wagtail.models import Page

PAGES_DIR = Path(__file__).resolve().parent / "content" / "pages"


def read_standard_pages(pages_dir: Path = PAGES_DIR) -> list[dict]:
    """The page files, sorted by name: ``[{"title", "slug", "seo_title", "body"}, ...]``."""
    return [
        yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted(pages_dir.glob("*.yaml"))
    ]


@transaction.atomic
def load_standard_pages(*, parent: Page, page_model: type[Page], body_field: str = "body"):
    """Creates and publishes each page under ``parent`` unless a child with its slug exists.
    Returns ``(created, unchanged)`` lists of slugs. Idempotent."""
    created, unchanged = [], []
    for data in read_standard_pages():
        if parent.get_children().filter(slug=data["slug"]).exists():
            unchanged.append(data["slug"])
            continue
        page = page_model(
            title=data["title"], slug=data["slug"], seo_title=data.get("seo_title", "")
        )
        setattr(page, body_field, data["body"])
        parent.add_child(instance=page)
        page.save_revision().publish()
        created.append(data["slug"])
    return created, unchanged
