"""Read-side queries over the course tree. Each runs a fixed number of queries, whatever the
size of the course, so pages that call them keep a constant query count."""

from django.http.request import split_domain_port
from wagtail.models import Site

from cms.models import (  # the page types' own reads, for other apps here
    CoursePage,
    ModulePage,
    ModulePosition,
    SectionOutline,
    course_outline,
    module_position,
    section_modules,
    sections_under,
)
from cms.tree_cache import memoised


def course_sections(course: CoursePage):
    """The course's live sections in reading order: by ``order``, then by tree position."""
    return sections_under(course.path, course.depth)


def course_modules(course: CoursePage) -> list[ModulePage]:
    """Every live module of the course in reading order (section order, then tree order)."""
    return [m for outline in course_outline(course) for m in outline.modules]


def renewal_modules(course: CoursePage) -> list[ModulePage]:
    """What a refresher repeats, in reading order: the live modules marked *Teil der
    Auffrischung*, or every required module when the course marks none."""
    modules = course_modules(course)
    marked = [m for m in modules if m.renewal_required]
    return marked or [m for m in modules if m.required]


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


def live_module(module_id: int) -> ModulePage | None:
    """The live module with this id (None when there is none or it is not live)."""
    return memoised(
        ("live_module", module_id),
        lambda: ModulePage.objects.live().filter(pk=module_id).first(),
        keep_none=False,
    )


__all__ = [
    "ModulePosition",
    "SectionOutline",
    "course_outline",
    "module_position",
    "section_modules",
]
