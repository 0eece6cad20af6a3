"""Read-side queries over the course tree. Each runs a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import Length, Substr

from cms.models import CoursePage, ModulePage, SectionPage


@dataclass(frozen=True)
class SectionOutline:
    section: SectionPage
    modules: list[ModulePage]

    @property
    def total_minutes(self) -> int:
        return sum(m.estimated_minutes for m in self.modules)


def course_sections(course: CoursePage):
    return SectionPage.objects.live().child_of(course).order_by("order", "path")


def _modules_in_reading_order(course_path: str, course_depth: int):
    """Live modules under live sections of the course at ``course_path``, in reading order.

    One query: each module's section (its parent, found by path) is a subquery that supplies
    the section's order, so neither sections nor modules are fetched separately.
    """
    steplen = ModulePage.steplen
    section = SectionPage.objects.live().filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - steplen)
    )
    return (
        ModulePage.objects.live()
        .filter(path__startswith=course_path, depth=course_depth + 2)
        .annotate(section_order=Subquery(section.values("order")[:1]))
        .filter(section_order__isnull=False)
        .defer("body")
        .order_by("section_order", "path")
    )


def course_modules(course: CoursePage):
    """Every live module of the course in reading order (section order, then tree order)."""
    return list(_modules_in_reading_order(course.path, course.depth))


def course_outline(course: CoursePage) -> list[SectionOutline]:
    """Sections with their modules: two queries whatever the size of the course."""
    sections = list(course_sections(course))
    by_path = {s.path: SectionOutline(section=s, modules=[]) for s in sections}
    steplen = ModulePage.steplen
    for module in ModulePage.objects.live().descendant_of(course).defer("body").order_by("path"):
        outline = by_path.get(module.path[:-steplen])
        if outline:
            outline.modules.append(module)
    return [by_path[s.path] for s in sections]


def module_neighbours(module: ModulePage):
    """The previous and next module in the course's reading order (across sections).

    One query whatever the size of the course; (None, None) when the course is not live.
    """
    steplen = ModulePage.steplen
    course_path = module.path[: -2 * steplen]  # module → section → course (page-type rules)
    course_live = CoursePage.objects.live().filter(path=course_path)
    modules = list(
        _modules_in_reading_order(course_path, module.depth - 2).filter(Exists(course_live))
    )
    ids = [m.pk for m in modules]
    if module.pk not in ids:
        return None, None
    i = ids.index(module.pk)
    previous_module = modules[i - 1] if i > 0 else None
    next_module = modules[i + 1] if i + 1 < len(modules) else None
    return previous_module, next_module


def search_modules(query: str):
    """Live modules matching the query, best first (PostgreSQL full text on PostgreSQL)."""
    return ModulePage.objects.live().search(query)
