"""The tables the workspace's exports write (headings, rows, file names). No queries of their
own: they format the rows of workspace.rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from certificates.selectors import CertificateState
from workspace.rows import CellStatus, ReportRow, SectionColumn


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
