"""Exports of a cohort's report and participant list as CSV and XLSX.

Both formats stream: rows come chunk by chunk from the selectors, CSV goes out line by line and
XLSX is written by openpyxl's write-only mode to a temporary file, so a large cohort never sits in
memory at once. (Wagtail's SpreadsheetExportMixin builds XLSX in memory and leaves formulas in
CSV, so it does not fit here.) Every text cell that a spreadsheet would read as a formula is
neutralised.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterator

from django.utils.functional import Promise

from training.models import Cohort
from workspace.participants import participant_list
from workspace.report import count_participants, course_columns
from workspace.rows import iter_report_rows
from workspace.tables import (
    Table,
    export_filename,
    local,
    participant_headings,
    participant_rows,
    report_headings,
    report_rows,
)

FORMATS = ("csv", "xlsx")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters that make Excel, LibreOffice or Google Sheets start a formula (OWASP's list).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_DATETIME_FORMAT = "DD.MM.YYYY HH:MM"


def neutralise(value):
    """Text a spreadsheet would evaluate becomes plain text (a leading apostrophe)."""
    if isinstance(value, Promise):  # lazy translations
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def report_table(
    *,
    cohort: Cohort,
    section_id: int | None = None,
    status: str | None = None,
    unit_id: int | None = None,
) -> Table:
    sections = course_columns(cohort.course)
    rows = iter_report_rows(
        cohort=cohort, sections=sections, unit_id=unit_id, status=status, section_id=section_id
    )
    return Table(
        headings=report_headings(sections, section_id),
        rows=report_rows(rows, sections, section_id),
        filename=export_filename("bericht", cohort),
        total=count_participants(cohort=cohort),
    )


def participants_table(*, cohort: Cohort) -> Table:
    return Table(
        headings=participant_headings(),
        rows=participant_rows(participant_list(cohort=cohort)),
        filename=export_filename("teilnehmende", cohort),
        total=count_participants(cohort=cohort, include_unenrolled=True),
    )


class _Echo:
    def write(self, value):
        return value


def stream_csv(table: Table) -> Iterator[str]:
    """CSV for Excel in German-speaking countries: UTF-8 with BOM, semicolons, local times."""
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow([neutralise(h) for h in table.headings])
    for values in table.rows:
        yield writer.writerow([_csv_value(v) for v in values])


def _csv_value(value):
    if hasattr(value, "tzinfo"):
        value = local(value)
        return f"{value:%d.%m.%Y %H:%M}"
    if value is None:
        return ""
    return neutralise(str(value))


def write_xlsx(
    table: Table,
    fileobj,
    *,
    progress: Callable[[int, int], None] | None = None,
    every: int = 250,
) -> int:
    """Writes the table to ``fileobj`` as XLSX; returns the number of data rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="Export")
    sheet.append([neutralise(h) for h in table.headings])
    count = 0
    for values in table.rows:
        # Neutralised text never starts with "=", so openpyxl keeps it text; only dates need a
        # cell object (for their format).
        sheet.append([_xlsx_value(sheet, WriteOnlyCell, v) for v in values])
        count += 1
        if progress and count % every == 0:
            progress(count, table.total)
    workbook.save(fileobj)
    if progress:
        progress(count, max(count, table.total))
    return count


def _xlsx_value(sheet, cell_class, value):
    if hasattr(value, "tzinfo"):
        cell = cell_class(sheet, value=local(value))
        cell.number_format = XLSX_DATETIME_FORMAT
        return cell
    return neutralise(value)


def xlsx_tempfile(table: Table, *, progress=None):
    """The table written to an anonymous temporary file (deleted when closed), rewound."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (the caller closes it)
    write_xlsx(table, handle, progress=progress)
    handle.seek(0)
    return handle
