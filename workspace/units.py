"""Aggregates for unit leads (*Dienststellenleitung*): per unit and course, how many are
enrolled, the share who completed each section and the average progress, never individuals."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings

from training.access import UNIT_AGGREGATES_PERMISSION
from training.models import Enrollment, ModuleProgress, OrganisationUnit
from workspace.rows import _percent, course_columns


@dataclass
class UnitAggregate:
    unit: OrganisationUnit
    course_title: str
    enrolled: int | None  # None when the group is too small to show figures
    hidden: bool
    section_shares: list[tuple[str, int | None]]
    average_progress: int | None


def min_group_size() -> int:
    return getattr(settings, "TRAINING_AGGREGATE_MIN_GROUP_SIZE", 5)


def units_led_by(user):
    if not (user.is_authenticated and user.has_perm(UNIT_AGGREGATES_PERMISSION)):
        return OrganisationUnit.objects.none()
    if user.is_superuser:
        return OrganisationUnit.objects.all()
    return OrganisationUnit.objects.filter(leads=user)


def unit_aggregates(user) -> list[UnitAggregate]:
    """Per unit and course: participants enrolled, share who completed each section, average
    progress. Groups smaller than the minimum group size show no figures at all, so nobody can
    read an individual's progress from them."""
    threshold = min_group_size()
    units = {u.pk: u for u in units_led_by(user)}
    if not units:
        return []
    enrollments = list(
        Enrollment.objects.filter(organisation_unit_id__in=list(units), unenrolled_at__isnull=True)
        .select_related("course")
        .only("pk", "organisation_unit_id", "course__title", "course__path", "course__depth")
    )
    courses = {e.course_id: e.course for e in enrollments}
    columns = {course_id: course_columns(course) for course_id, course in courses.items()}
    completed = defaultdict(set)
    for enrollment_id, module_id in ModuleProgress.objects.filter(
        enrollment__in=[e.pk for e in enrollments], completed_at__isnull=False
    ).values_list("enrollment_id", "module_id"):
        completed[enrollment_id].add(module_id)

    groups = defaultdict(list)
    for enrollment in enrollments:
        groups[(enrollment.organisation_unit_id, enrollment.course_id)].append(enrollment.pk)
    result = []
    for (unit_id, course_id), members in sorted(
        groups.items(), key=lambda item: (str(units[item[0][0]]), item[0][1])
    ):
        sections = columns[course_id]
        hidden = len(members) < threshold
        shares, average = [], None
        if not hidden:
            all_ids = {m.id for s in sections for m in s.modules}
            for section in sections:
                ids = {m.id for m in section.modules}
                done = sum(1 for member in members if ids and ids <= completed[member])
                shares.append((section.title, _percent(done, len(members))))
            progress = [_percent(len(completed[m] & all_ids), len(all_ids)) for m in members]
            average = round(sum(progress) / len(progress))
        else:
            shares = [(section.title, None) for section in sections]
        result.append(
            UnitAggregate(
                unit=units[unit_id],
                course_title=courses[course_id].title,
                enrolled=None if hidden else len(members),
                hidden=hidden,
                section_shares=shares,
                average_progress=average,
            )
        )
    return result
