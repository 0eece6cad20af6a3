"""The Wagtail reference: a plain page with a title and one paragraph, through base.html.

It is served like every content page (Wagtail's routing, page serving, the site's base template),
so its requests/s is the floor that course pages are compared with. The page type is
``cms.StandardPage`` (title and rich-text body) when it exists; until then a ``HomePage`` below the
site's home stands in: the same template machinery plus one query for its (absent) course list.
Switching needs no change here: the next run replaces the stand-in with a StandardPage.
"""

from wagtail.blocks import RichTextBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, Site

REFERENCE_SLUG = "bench-referenz"
REFERENCE_TITLE = "Referenzseite"
REFERENCE_PARAGRAPH = (
    "<p>Diese Seite dient als Vergleichsmaß: ein Titel und ein Absatz, ausgeliefert wie jede "
    "Inhaltsseite über Wagtail und das gemeinsame Grundlayout der Akademie.</p>"
)
PREFERRED_MODEL = ("cms", "StandardPage")
STAND_IN_MODEL = ("cms", "HomePage")


def reference_page_model():
    from django.apps import apps

    try:
        return apps.get_model(*PREFERRED_MODEL)
    except LookupError:
        return apps.get_model(*STAND_IN_MODEL)


def _body_values(model) -> dict:
    """The first rich-text field of the page type, holding the one paragraph."""
    for f in model._meta.get_fields():
        if f.model is not model or f.name in ("title",):
            continue
        if isinstance(f, RichTextField):
            return {f.name: REFERENCE_PARAGRAPH}
        if isinstance(f, StreamField):
            for name, block in f.stream_block.child_blocks.items():
                if isinstance(block, RichTextBlock):
                    return {f.name: [{"type": name, "value": REFERENCE_PARAGRAPH}]}
    raise RuntimeError(f"{model.__name__} has no rich-text field for the reference paragraph")


def ensure_reference_page() -> Page:
    """Creates (or re-creates, when the page type changed) the published reference page."""
    model = reference_page_model()
    site = Site.objects.get(is_default_site=True)
    home = site.root_page
    page = Page.objects.child_of(home).filter(slug=REFERENCE_SLUG).first()
    if page is not None and page.specific_class is model:
        return page.specific
    if page is not None:
        page.delete()
        home.refresh_from_db()
    page = model(title=REFERENCE_TITLE, slug=REFERENCE_SLUG, **_body_values(model))
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def reference_page_path() -> str:
    page = ensure_reference_page()
    return page.relative_url(Site.objects.get(is_default_site=True))
