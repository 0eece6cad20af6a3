"""The cohort report: participants × modules of one cohort, filtered and sorted, with the
progress distribution and its chart. ``cohort_report`` is the one call a view makes.

Every function runs a fixed number of queries, whatever the size of the cohort."""

from __future__ import annotations

from dataclasses import dataclass

from training.models import Cohort, Enrollment
from workspace.charts import PROGRESS_BUCKETS, distribution_chart
from workspace.rows import (
    STATUS_RANK,
    CellStatus,
    ModuleColumn,
    ReportRow,
    SectionColumn,
    _enrollment_rows,
    course_columns,
    fill_report_rows,
    status_cells,
)


@dataclass
class CohortReport:
    cohort: Cohort
    sections: list[SectionColumn]
    visible_sections: list[SectionColumn]
    visible_modules: list[ModuleColumn]
    rows: list[ReportRow]
    participants: int  # before the status filter
    distribution: list[dict]
    certificates_available: bool
    chart: dict  # geometry of the distribution chart (workspace.charts)


SORT_KEYS = {
    "name": lambda row: (row.last_name.casefold(), row.first_name.casefold()),
    "email": lambda row: row.email.casefold(),
    "unit": lambda row: row.unit.casefold(),
    "enrolled": lambda row: row.enrolled_at,
    "progress": lambda row: row.overall_percent,
    "activity": lambda row: (row.last_activity is not None, row.last_activity),
    "certificate": lambda row: row.certificate,
}


def sort_key(sort: str):
    """The key function for a sort parameter such as "name", "section-7" or "module-12"."""
    name = sort.removeprefix("-")
    if name in SORT_KEYS:
        return SORT_KEYS[name]
    kind, _, ident = name.partition("-")
    if ident.isdigit():
        ident = int(ident)
        if kind == "section":
            return lambda row: row.section_percent.get(ident, 0)
        if kind == "module":
            return lambda row: STATUS_RANK[row.statuses.get(ident, CellStatus.NOT_STARTED)]
    return None


def sort_options(sections: list[SectionColumn]) -> set[str]:
    names = set(SORT_KEYS)
    names |= {f"section-{s.id}" for s in sections}
    names |= {f"module-{m.id}" for s in sections for m in s.modules}
    return names | {f"-{name}" for name in names}


def cohort_report(
    *,
    cohort: Cohort,
    section_id: int | None = None,
    status: str | None = None,
    unit_id: int | None = None,
    sort: str = "name",
    sections: list[SectionColumn] | None = None,
) -> CohortReport:
    """Participants (enrolled, not unenrolled) × modules with their states, filtered and sorted.

    Six queries whatever the cohort's size: course sections, modules, enrollments, module
    progress, sittings (aggregated) and certificates.
    """
    sections = course_columns(cohort.course) if sections is None else sections
    enrollments = Enrollment.objects.filter(cohort=cohort, unenrolled_at__isnull=True)
    if unit_id:
        enrollments = enrollments.filter(organisation_unit_id=unit_id)
    rows = _enrollment_rows(enrollments)
    fill_report_rows(rows, sections, enrollments)

    visible_sections = [s for s in sections if not section_id or s.id == section_id]
    visible_modules = [m for s in visible_sections for m in s.modules]
    distribution = progress_distribution(rows, sections)
    participants = len(rows)
    if status:
        rows = [r for r in rows if any(r.statuses[m.id] == status for m in visible_modules)]
    key = sort_key(sort) or SORT_KEYS["name"]
    rows.sort(key=key, reverse=sort.startswith("-"))
    cells = status_cells()
    for row in rows:
        row.cells = [cells[row.statuses[m.id]] for m in visible_modules]
        row.section_cells = [row.section_percent[s.id] for s in visible_sections]

    return CohortReport(
        cohort=cohort,
        sections=sections,
        visible_sections=visible_sections,
        visible_modules=visible_modules,
        rows=rows,
        participants=participants,
        distribution=distribution,
        certificates_available=True,
        chart=distribution_chart(distribution),
    )


def progress_distribution(rows: list[ReportRow], sections: list[SectionColumn]) -> list[dict]:
    """How many participants have completed 0 %, 1–49 %, 50–99 % and 100 % of each section."""
    result = []
    for section in sections:
        counts = {key: 0 for key, *_ in PROGRESS_BUCKETS}
        for row in rows:
            percent = row.section_percent.get(section.id, 0)
            for key, _label, low, high in PROGRESS_BUCKETS:
                if low <= percent <= high:
                    counts[key] += 1
                    break
        result.append({"section": section, "counts": counts, "total": len(rows)})
    return result


def count_participants(*, cohort: Cohort, include_unenrolled: bool = False) -> int:
    enrollments = Enrollment.objects.filter(cohort=cohort)
    if not include_unenrolled:
        enrollments = enrollments.filter(unenrolled_at__isnull=True)
    return enrollments.count()
