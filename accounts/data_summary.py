"""The data download as a person reads it: the categories the registry holds about them (only
those with rows), each row as labelled values, as an HTML page and as a PDF."""

import io
import json
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import privacy
from core.links import absolute_url

# Labels of exported values that are not model fields.
EXTRA_LABELS = {
    "id": gettext_lazy("Nummer"),
    "status": gettext_lazy("Status"),
    "groups": gettext_lazy("Gruppen"),
    "sections": gettext_lazy("Lernbereiche"),
    "answers": gettext_lazy("Antworten"),
    "kind": gettext_lazy("Art"),
    "text": gettext_lazy("Text"),
    "link": gettext_lazy("Link"),
    "verification_code": gettext_lazy("Prüfcode"),
    "verification_url": gettext_lazy("Link zur Echtheitsprüfung"),
    "download_url": gettext_lazy("Herunterladen"),
    "open_badges_credential_url": gettext_lazy("Digitaler Nachweis (Open Badges)"),
}


@dataclass(frozen=True)
class Category:
    title: str
    rows: list[list[tuple[str, str]]]


def _label(model, key: str) -> str:
    if key in EXTRA_LABELS:
        return str(EXTRA_LABELS[key])
    current = model
    field = None
    for part in key.split("__"):
        try:
            field = current._meta.get_field(part)
        except (FieldDoesNotExist, AttributeError):
            return key.replace("_", " ")
        current = field.related_model or current
    return str(getattr(field, "verbose_name", key)).strip() or key


def _value(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, date):
        return date_format(value, "DATE_FORMAT")
    if isinstance(value, str) and value.startswith("/"):
        return absolute_url(value)
    if isinstance(value, list | dict):
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return ", ".join(value) or "–"
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def personal_data_summary(user) -> list[Category]:
    """The categories with rows about ``user``, in registry order."""
    categories = []
    for entry in privacy.entries():
        if entry.export is None:
            continue
        items = entry.export(user)
        if items:
            rows = [
                [(_label(entry.model, k), _value(v)) for k, v in item.items()] for item in items
            ]
            categories.append(Category(title=entry.display_title, rows=rows))
    return categories


def summary_pdf(*, user, categories: list[Category]) -> bytes:
    """The summary as a PDF (A4, DejaVu fonts so every umlaut prints)."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font_dir = settings.PDF_FONT_DIR
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", font_dir / "DejaVuSans.ttf"))
    if "DejaVuSans-Bold" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", font_dir / "DejaVuSans-Bold.ttf"))
    body = ParagraphStyle("body", fontName="DejaVuSans", fontSize=9, leading=12)
    heading = ParagraphStyle("h", fontName="DejaVuSans-Bold", fontSize=16, leading=20)
    subheading = ParagraphStyle("h2", fontName="DejaVuSans-Bold", fontSize=12, leading=16)
    buffer = io.BytesIO()
    title = _("Meine Daten")
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author=getattr(settings, "WAGTAIL_SITE_NAME", ""),
        lang="de",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
    )
    story = [
        Paragraph(escape(title), heading),
        Paragraph(
            escape(
                _("Stand: %(date)s · Konto: %(username)s")
                % {
                    "date": date_format(timezone.localtime(), "DATETIME_FORMAT"),
                    "username": user.get_username(),
                }
            ),
            body,
        ),
        Spacer(1, 6 * mm),
    ]
    for category in categories:
        story.append(Paragraph(escape(category.title), subheading))
        for row in category.rows:
            table = Table(
                [[Paragraph(escape(k), body), Paragraph(escape(v), body)] for k, v in row],
                colWidths=[55 * mm, None],
            )
            table.setStyle(
                TableStyle(
                    [
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("LINEBELOW", (0, -1), (-1, -1), 0.3, "#999999"),
                    ]
                )
            )
            story += [table, Spacer(1, 2 * mm)]
        story.append(Spacer(1, 4 * mm))
    document.build(story)
    return buffer.getvalue()
