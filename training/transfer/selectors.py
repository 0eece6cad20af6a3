"""Read queries of transfer tasks: a participant's tasks per section of their course."""

from __future__ import annotations

from dataclasses import dataclass, field

from cms.models import SectionPage
from training.models import CourseRules, Enrollment, TransferTask


@dataclass
class TransferItem:
    section: SectionPage
    task: TransferTask | None


@dataclass
class TransferOverview:
    offered: bool
    required: bool
    tasks: list[TransferItem] = field(default_factory=list)


def transfer_overview(enrollment: Enrollment) -> TransferOverview:
    """The course's sections with the enrollment's task for each (none when not offered)."""
    rules = CourseRules.objects.filter(course_id=enrollment.course_id).first()
    if rules is None or not rules.offers_transfer_tasks:
        return TransferOverview(offered=False, required=False)
    tasks = {t.section_id: t for t in TransferTask.objects.filter(enrollment=enrollment)}
    sections = (
        SectionPage.objects.live()
        .filter(path__startswith=enrollment.course.path, depth=enrollment.course.depth + 1)
        .order_by("order", "path")
    )
    return TransferOverview(
        offered=True,
        required=rules.transfer_tasks == CourseRules.TransferTasks.REQUIRED,
        tasks=[TransferItem(section=s, task=tasks.get(s.pk)) for s in sections],
    )


def own_task(enrollment: Enrollment, section) -> TransferTask | None:
    return TransferTask.objects.filter(enrollment=enrollment, section=section).first()
