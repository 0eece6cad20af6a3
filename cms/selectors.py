"""Read-side queries over the course tree. Each runs a fixed number of queries."""

from dataclasses import dataclass

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


def course_modules(course: CoursePage):
    """Every live module of the course in reading order (section order, then tree order)."""
    sections = list(course_sections(course))
    order = {s.path: i for i, s in enumerate(sections)}
    modules = list(ModulePage.objects.live().descendant_of(course).defer("body").order_by("path"))
    steplen = ModulePage.steplen
    modules = [m for m in modules if m.path[:-steplen] in order]
    modules.sort(key=lambda m: (order[m.path[:-steplen]], m.path))
    return modules


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
    """The previous and next module in the course's reading order (across sections)."""
    course = CoursePage.objects.ancestor_of(module).live().first()
    if course is None:
        return None, None
    modules = course_modules(course)
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
