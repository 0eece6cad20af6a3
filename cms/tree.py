"""Tree facts every view of a page reads, from the memo of the tree (``cms.tree_cache``) instead
of the database: the page at a URL path, the view restrictions Wagtail checks before serving,
and the ancestors the breadcrumbs show. Only Wagtail's own page model is needed here."""

from wagtail.models import Page, PageViewRestriction

from cms.tree_cache import memoised


def page_at(root: Page, url_path: str) -> Page | None:
    """The page (specific, live or not) at a URL path below ``root``; None when there is none.
    Only pages that exist are memoised, so requests for unknown URLs cannot fill the memo."""
    return memoised(
        ("page_at", root.pk, url_path),
        lambda: Page.objects.descendant_of(root).filter(url_path=url_path).specific().first(),
        keep_none=False,
    )


def view_restrictions(page: Page):
    """The view restrictions on the page and its ancestors, as Wagtail's
    ``Page.get_view_restrictions()`` returns them: a queryset, here already evaluated from the
    memo (chaining on it, e.g. ``order_by``, queries the same rows afresh)."""
    if not page.pk:  # an unsaved page (e.g. a preview before the first save) has no key
        return Page.get_view_restrictions(page)
    rows = memoised(("restrictions", page.pk), lambda: list(Page.get_view_restrictions(page)))
    queryset = PageViewRestriction.objects.filter(pk__in=[r.pk for r in rows])
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    return queryset


def breadcrumb_ancestors(page: Page) -> list[Page]:
    """The page's ancestors below the tree's root (home page first), for the breadcrumbs."""
    if not page.pk:
        return []
    return memoised(("ancestors", page.pk), lambda: list(page.get_ancestors())[1:])
