"""Presentation of the workspace's reports: the tables the exports write and the geometry of the
server-rendered progress chart. No queries of their own: they format selector results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from training.report_selectors import (
    PROGRESS_BUCKETS,
    CellStatus,
    CertificateState,
    ReportRow,
    SectionColumn,
)


@dataclass
class Table:
    """Headings and rows of an export; ``rows`` may be a generator (streamed once)."""

    headings: list[str]
    rows: Any
    filename: str
    total: int


def export_filename(prefix: str, cohort) -> str:
    return f"{prefix}-{slugify(cohort.name) or cohort.pk}-{timezone.localdate():%Y-%m-%d}"


def report_headings(sections: list[SectionColumn], section_id: int | None = None) -> list[str]:
    visible = [s for s in sections if not section_id or s.id == section_id]
    headings = [
        _("Nachname"),
        _("Vorname"),
        _("E-Mail"),
        _("Organisationseinheit"),
        _("Fortschritt gesamt (%)"),
    ]
    headings += [_("%(section)s (%%)") % {"section": s.title} for s in visible]
    headings += [f"{m.number}. {m.title}" for s in visible for m in s.modules]
    headings += [_("Letzte Aktivität"), _("Zertifikat")]
    return headings


def report_rows(rows, sections: list[SectionColumn], section_id: int | None = None):
    """Export rows (plain values) of report rows; labels are translated once, not per cell."""
    visible = [s for s in sections if not section_id or s.id == section_id]
    modules = [m.id for s in visible for m in s.modules]
    labels = {status: str(label) for status, label in CellStatus.choices}
    certificates = {state: str(label) for state, label in CertificateState.choices}
    for row in rows:
        values = [row.last_name, row.first_name, row.email, row.unit, row.overall_percent]
        values += [row.section_percent[s.id] for s in visible]
        values += [labels[row.statuses[m]] for m in modules]
        values += [row.last_activity, certificates[row.certificate]]
        yield values


def participant_headings() -> list[str]:
    return [
        _("Nachname"),
        _("Vorname"),
        _("E-Mail"),
        _("Organisationseinheit"),
        _("Eingeschrieben am"),
        _("Status"),
        _("Ausgetragen am"),
        _("Passwort gesetzt"),
        _("Kurs abgeschlossen am"),
    ]


def participant_rows(rows: list[ReportRow]):
    active, unenrolled, yes, no = _("aktiv"), _("ausgetragen"), _("ja"), _("nein")
    for row in rows:
        yield [
            row.last_name,
            row.first_name,
            row.email,
            row.unit,
            row.enrolled_at,
            unenrolled if row.unenrolled_at else active,
            row.unenrolled_at,
            no if row.invitation_pending else yes,
            row.completed_at,
        ]


def local(value: datetime | None) -> datetime | None:
    """A naive local datetime, as spreadsheets show it."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None)


# --- The progress chart ---------------------------------------------------------------------

# Dark enough for white labels (contrast at least 4.5:1); the table below repeats every figure.
BUCKET_COLOURS = {
    "none": "#5c5c5c",
    "started": "#8a4b00",
    "advanced": "#0b4f8a",
    "complete": "#1d6b2f",
}
CHART_WIDTH = 640
BAR_HEIGHT = 28
ROW_HEIGHT = 64
LABEL_HEIGHT = 22


def distribution_chart(distribution: list[dict]) -> dict:
    """Stacked bars (one per section) of how many participants are in each progress bucket."""
    rows = []
    for index, item in enumerate(distribution):
        top = index * ROW_HEIGHT
        total = item["total"]
        x = 0.0
        segments = []
        for key, label, _low, _high in PROGRESS_BUCKETS:
            count = item["counts"][key]
            width = CHART_WIDTH * count / total if total else 0.0
            segments.append(
                {
                    "key": key,
                    "label": label,
                    "count": count,
                    "x": round(x, 2),
                    "width": round(width, 2),
                    "colour": BUCKET_COLOURS[key],
                    "text_x": round(x + width / 2, 2),
                    # Too narrow a segment keeps its figure in the table only.
                    "show_count": width >= 28,
                }
            )
            x += width
        rows.append(
            {
                "title": item["section"].title,
                "total": total,
                "label_y": top + 16,
                "bar_y": top + LABEL_HEIGHT,
                "text_y": top + LABEL_HEIGHT + BAR_HEIGHT / 2 + 5,
                "segments": segments,
                "counts": [item["counts"][key] for key, *_rest in PROGRESS_BUCKETS],
            }
        )
    legend_y = len(rows) * ROW_HEIGHT + 8
    legend = [
        {"label": label, "colour": BUCKET_COLOURS[key], "x": i * 150, "y": legend_y}
        for i, (key, label, *_rest) in enumerate(PROGRESS_BUCKETS)
    ]
    return {
        "width": CHART_WIDTH,
        "height": legend_y + 24,
        "bar_height": BAR_HEIGHT,
        "rows": rows,
        "legend": legend,
        "buckets": [label for _key, label, *_rest in PROGRESS_BUCKETS],
    }
