"""Read-side queries over the course tree. Each runs a fixed number of queries, whatever the
size of the course, so pages that call them keep a constant query count."""

from dataclasses import dataclass

from django.http.request import split_domain_port
from wagtail.models import Page, PageViewRestriction, Site

from cms.models import CoursePage, ModulePage, SectionPage
from cms.tree_cache import memoised


@dataclass(frozen=True)
class SectionOutline:
    section: SectionPage
    modules: list[ModulePage]

    @property
    def total_minutes(self) -> int:
        return sum(m.estimated_minutes for m in self.modules)


@dataclass(frozen=True)
class ModulePosition:
    """Where a module stands in the course's reading order."""

    section: SectionPage | None
    number_in_section: int  # 1-based; 0 when the module is not part of a live course
    modules_in_section: int
    previous_module: ModulePage | None
    next_module: ModulePage | None


def _sections_under(course_path: str, course_depth: int):
    return (
        SectionPage.objects.live()
        .filter(path__startswith=course_path, depth=course_depth + 1)
        .order_by("order", "path")
    )


def _modules_under(path: str):
    # The body is the biggest column and overviews never show it.
    return (
        ModulePage.objects.live()
        .filter(path__startswith=path)
        .defer("body", "learning_objectives")
        .order_by("path")
    )


def course_sections(course: CoursePage):
    """The course's live sections in reading order: by ``order``, then by tree position."""
    return _sections_under(course.path, course.depth)


def section_modules(section: SectionPage) -> list[ModulePage]:
    """The section's live modules in tree order (trainers sort them in the Wagtail explorer)."""
    return list(_modules_under(section.path).filter(depth=section.depth + 1))


def _outline(course_path: str, course_depth: int) -> list[SectionOutline]:
    """The outline from the memo of the tree (two queries when the tree has changed), as fresh
    lists the caller may change."""
    memo = memoised(("outline", course_path), lambda: _build_outline(course_path, course_depth))
    return [SectionOutline(section=o.section, modules=list(o.modules)) for o in memo]


def _build_outline(course_path: str, course_depth: int) -> list[SectionOutline]:
    sections = list(_sections_under(course_path, course_depth))
    by_path = {s.path: SectionOutline(section=s, modules=[]) for s in sections}
    steplen = Page.steplen
    for module in _modules_under(course_path).filter(depth=course_depth + 2):
        outline = by_path.get(module.path[:-steplen])
        if outline is not None:
            outline.modules.append(module)
    return [by_path[s.path] for s in sections]


def course_outline(course: CoursePage) -> list[SectionOutline]:
    """Sections with their modules, in reading order: two queries whatever the size."""
    return _outline(course.path, course.depth)


def course_modules(course: CoursePage) -> list[ModulePage]:
    """Every live module of the course in reading order (section order, then tree order)."""
    return [m for outline in course_outline(course) for m in outline.modules]


def module_position(module: ModulePage) -> ModulePosition:
    """Section, number within the section and the neighbours across sections: two queries.

    The page-type rules fix the tree (course → section → module), so the course's path is the
    module's path minus two steps; no query is needed to find it.
    """
    steplen = Page.steplen
    if not module.pk or not module.depth or module.depth < 3:  # e.g. previewed before saving
        return ModulePosition(None, 0, 0, None, None)
    course_path = module.path[: -2 * steplen]
    outlines = _outline(course_path, module.depth - 2)
    modules = [m for outline in outlines for m in outline.modules]
    ids = [m.pk for m in modules]
    if module.pk not in ids:
        return ModulePosition(None, 0, 0, None, None)
    i = ids.index(module.pk)
    outline = next(o for o in outlines if o.section.path == module.path[:-steplen])
    in_section = [m.pk for m in outline.modules]
    return ModulePosition(
        section=outline.section,
        number_in_section=in_section.index(module.pk) + 1,
        modules_in_section=len(in_section),
        previous_module=modules[i - 1] if i > 0 else None,
        next_module=modules[i + 1] if i + 1 < len(modules) else None,
    )


def module_neighbours(module: ModulePage):
    """The previous and next module in the course's reading order (across sections)."""
    position = module_position(module)
    return position.previous_module, position.next_module


def search_modules(query: str):
    """Live modules matching the query, best first (PostgreSQL full text on PostgreSQL)."""
    return ModulePage.objects.live().defer("body").search(query)


# --- Tree facts every page view needs (memoised per tree version, see cms.tree_cache) --------


def site_for_request(request) -> Site | None:
    """Wagtail's site for the request's host and port, with its root page's specific instance."""
    hostname = split_domain_port(request._get_raw_host())[0]
    port = request.get_port()

    def build():
        site = Site._find_for_request(request)
        if site is not None:
            site.root_page.specific  # noqa: B018 (loaded once, kept with the site)
        return site

    return memoised(("site", hostname, port), build)


def attach_site(request) -> None:
    """Gives the request its site and the sites' root paths from the memo, where Wagtail looks
    for them (``Site.find_for_request`` reads ``request._wagtail_site`` before querying).
    Views whose pages link to course pages call it first; elsewhere Wagtail queries as usual."""
    if request is None:
        return
    if not hasattr(request, "_wagtail_site"):
        request._wagtail_site = site_for_request(request)
    if not hasattr(request, "_wagtail_cached_site_root_paths"):
        # What Page.get_url_parts() reads from the cache once per request (Wagtail's attribute).
        request._wagtail_cached_site_root_paths = memoised(
            ("site_root_paths",), Site.get_site_root_paths
        )


def page_at(root: Page, url_path: str) -> Page | None:
    """The page (specific, live or not) at a URL path below ``root``; None when there is none.
    Only pages that exist are memoised, so requests for unknown URLs cannot fill the memo."""
    return memoised(
        ("page_at", root.pk, url_path),
        lambda: Page.objects.descendant_of(root).filter(url_path=url_path).specific().first(),
        keep_none=False,
    )


def live_module(module_id: int) -> ModulePage | None:
    """The live module with this id (None when there is none or it is not live)."""
    return memoised(
        ("live_module", module_id),
        lambda: ModulePage.objects.live().filter(pk=module_id).first(),
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
