"""Read-side queries over the course tree. Each runs a fixed number of queries, whatever the
size of the course, so pages that call them keep a constant query count."""

from dataclasses import dataclass

from wagtail.models import Page

from cms.models import CoursePage, ModulePage, SectionPage


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
