"""The reading order of the course's modules, read in one query for the module page."""

from cms.models import ModulePage, SectionPage
from cms.selectors import course_modules, module_neighbours


def reading_order(course):
    sections = SectionPage.objects.child_of(course).order_by("order", "path")
    return [m.pk for s in sections for m in ModulePage.objects.child_of(s).order_by("path")]


def test_modules_follow_the_sections_order_not_the_tree_order(demo):
    # given the sections reordered against their place in the tree
    course = demo["course"]
    sections = list(SectionPage.objects.child_of(course).order_by("path"))
    for position, section in enumerate(reversed(sections), 1):
        SectionPage.objects.filter(pk=section.pk).update(order=position)
    # when the course's modules are read
    modules = course_modules(course)
    # then they come section by section in the sections' order
    assert [m.pk for m in modules] == reading_order(course)
    assert modules[0].get_parent().pk == sections[-1].pk


def test_neighbours_cross_section_boundaries_in_two_queries(demo, django_assert_num_queries):
    # given the first module of the second section
    course = demo["course"]
    order = reading_order(course)
    second_section = SectionPage.objects.child_of(course).order_by("order", "path")[1]
    first_of_second = ModulePage.objects.child_of(second_section).order_by("path").first()
    i = order.index(first_of_second.pk)
    # when its neighbours are read
    with django_assert_num_queries(2):
        previous_module, next_module = module_neighbours(first_of_second)
    # then the previous one is the last module of the first section
    assert (previous_module.pk, next_module.pk) == (order[i - 1], order[i + 1])


def test_modules_of_an_unpublished_section_are_left_out(demo):
    course = demo["course"]
    section = SectionPage.objects.child_of(course).order_by("order", "path").last()
    hidden = set(ModulePage.objects.child_of(section).values_list("pk", flat=True))
    section.unpublish()
    modules = course_modules(course)
    assert hidden and not hidden & {m.pk for m in modules}
    assert module_neighbours(ModulePage.objects.get(pk=min(hidden))) == (None, None)
