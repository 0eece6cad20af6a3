"""The certificate as a one-page A4 PDF, drawn with ReportLab's canvas.

Pure: takes the frozen content, returns PDF bytes. Fonts are the DejaVu TTFs shipped in
``certificates/fonts/`` (subset-embedded, so umlauts and ß render in every viewer) and are parsed
once per process. The QR code (segno) is drawn as vector rectangles.
"""

import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import segno
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab import rl_config
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from certificates.branding import Picture

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
INK = HexColor("#1a1a1a")
ACCENT = HexColor("#0b4f6c")
MUTED = HexColor("#555555")
QR_MASK = 2

# Binary font and page streams: ASCII85 only makes the file larger and slower to write.
rl_config.useA85 = 0


@dataclass(frozen=True)
class SectionLine:
    title: str
    completed_on: date
    teaching_units: int


@dataclass(frozen=True)
class CertificateContent:
    serial: str
    holder_name: str
    course_title: str
    sections: list[SectionLine]
    issued_at: datetime
    verify_url: str  # the QR target (long token)
    short_url: str  # printed, to type by hand (short code)
    display_code: str
    organisation: str
    title: str
    explanatory_text: str
    signatory_name: str
    signatory_role: str
    valid_until: datetime | None = None
    renews: str = ""  # the serial of the certificate a renewal renews
    holder_title: str = ""  # the qualification in the holder's chosen form
    logo: "Picture | None" = None  # the deployment's logo (branding setting), PNG
    signature: "Picture | None" = None  # the signatory's signature image, PNG


_fonts_registered = False


def register_fonts() -> None:
    global _fonts_registered
    if not _fonts_registered:
        pdfmetrics.registerFont(TTFont(REGULAR, FONT_DIR / "DejaVuSans.ttf"))
        pdfmetrics.registerFont(TTFont(BOLD, FONT_DIR / "DejaVuSans-Bold.ttf"))
        _fonts_registered = True


def _german_date(value) -> str:
    with translation.override("de"):
        return date_format(value, "j. F Y")


def _centered(canvas: Canvas, text: str, y: float, font: str, size: float, color=INK) -> None:
    canvas.setFont(font, size)
    canvas.setFillColor(color)
    canvas.drawCentredString(A4[0] / 2, y, text)


def _wrapped(canvas, text, x, y, width, font, size, leading, centred=False) -> float:
    """Draws text wrapped to width; returns the y below the last line."""
    canvas.setFont(font, size)
    for paragraph in text.splitlines() or [""]:
        for line in simpleSplit(paragraph, font, size, width) or [""]:
            if centred:
                canvas.drawCentredString(x + width / 2, y, line)
            else:
                canvas.drawString(x, y, line)
            y -= leading
    return y


def _draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    # A fixed mask skips segno's search for the best of eight masks (most of its time); any
    # mask gives a valid code, and at this size every phone camera reads it.
    qr = segno.make(data, error="m", micro=False, mask=QR_MASK)
    matrix = qr.matrix
    border = 2
    count = len(matrix) + 2 * border
    canvas.saveState()
    # Draw in module units (integers), one path of horizontal runs.
    canvas.translate(x, y)
    canvas.scale(size / count, size / count)
    canvas.setFillColor(INK)
    # Integer module coordinates written as PDF operators directly: ReportLab would format
    # each of the ~1,700 numbers as a float.
    ops = []
    for r, row in enumerate(matrix):
        top = count - border - r - 1
        c = 0
        width = len(row)
        while c < width:
            if row[c]:
                start = c
                while c < width and row[c]:
                    c += 1
                ops.append(f"{start + border} {top} {c - start} 1 re")
            else:
                c += 1
    ops.append("f")
    canvas.addLiteral("\n".join(ops))
    canvas.restoreState()


def _pdf_date(moment: datetime) -> str:
    """A PDF date string (``D:YYYYMMDDHHmmSS+HH'mm'``) in the site's time zone."""
    local = timezone.localtime(moment)
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"D:{local:%Y%m%d%H%M%S}{sign}{hours:02d}'{rest:02d}'"


def _draw_picture(canvas: Canvas, picture: Picture, x, y, max_width, max_height, anchor="sw"):
    """Draws ``picture`` scaled into the box (keeping its proportions); ``anchor`` "se" puts
    its right edge at ``x``."""
    scale = min(max_width / picture.width, max_height / picture.height)
    w, h = picture.width * scale, picture.height * scale
    left = x - w if anchor == "se" else x
    canvas.drawImage(
        ImageReader(io.BytesIO(picture.png)), left, y, w, h, mask="auto", preserveAspectRatio=True
    )


def render_certificate(content: CertificateContent) -> bytes:
    """Renders the one-page certificate; deterministic for the same content. The PDF's
    creation and modification dates are the issue date, so the file says when it was issued
    and re-rendering the same content gives the same bytes."""
    register_fonts()
    buffer = io.BytesIO()
    width, height = A4
    canvas = Canvas(buffer, pagesize=A4, invariant=True, lang="de", initialFontName=REGULAR)
    issued = _pdf_date(content.issued_at)
    canvas.setDateFormatter(lambda *_ignored: issued)
    with translation.override("de"):
        canvas.setTitle(f"{content.title} {content.serial} – {content.holder_name}")
        canvas.setAuthor(content.organisation)
        canvas.setSubject(content.course_title)
        canvas.setCreator(content.organisation)

        margin = 22 * mm
        text_width = width - 2 * margin

        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(1.2)
        canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)

        if content.logo is not None:
            # Top left inside the frame, at most 45 × 18 mm.
            _draw_picture(canvas, content.logo, 18 * mm, height - 36 * mm, 45 * mm, 18 * mm)
        _centered(canvas, content.organisation, height - 32 * mm, BOLD, 12, ACCENT)
        _centered(canvas, content.title, height - 55 * mm, BOLD, 34, ACCENT)
        _centered(canvas, _("Hiermit wird bestätigt, dass"), height - 72 * mm, REGULAR, 12)
        y = height - 88 * mm
        canvas.setFillColor(INK)
        y = _wrapped(canvas, content.holder_name, margin, y, text_width, BOLD, 22, 27, True)
        y = _wrapped(
            canvas, _("die Weiterbildung"), margin, y - 4, text_width, REGULAR, 12, 16, True
        )
        y = _wrapped(canvas, content.course_title, margin, y - 4, text_width, BOLD, 16, 20, True)
        y = _wrapped(
            canvas,
            _("erfolgreich abgeschlossen hat."),
            margin,
            y - 4,
            text_width,
            REGULAR,
            12,
            16,
            True,
        )
        if content.holder_title:
            y = _wrapped(
                canvas, _("Qualifikation:"), margin, y - 6, text_width, REGULAR, 10, 14, True
            )
            canvas.setFillColor(ACCENT)
            y = _wrapped(canvas, content.holder_title, margin, y, text_width, BOLD, 14, 18, True)
            canvas.setFillColor(INK)
        canvas.setFillColor(MUTED)
        y = _wrapped(canvas, content.explanatory_text, margin, y - 14, text_width, REGULAR, 10, 14)

        # The three competence areas with their completion dates and teaching units.
        y -= 14
        canvas.setFillColor(INK)
        canvas.setFont(BOLD, 10)
        date_x = margin + text_width * 0.62
        units_x = margin + text_width
        canvas.drawString(margin, y, _("Lernbereich"))
        canvas.drawString(date_x, y, _("abgeschlossen am"))
        canvas.drawRightString(units_x, y, _("UE"))
        y -= 5
        canvas.setStrokeColor(MUTED)
        canvas.setLineWidth(0.5)
        canvas.line(margin, y, units_x, y)
        y -= 14
        total_units = 0
        for section in content.sections:
            title_lines = simpleSplit(section.title, REGULAR, 10, date_x - margin - 8)
            canvas.setFont(REGULAR, 10)
            canvas.drawString(date_x, y, _german_date(section.completed_on))
            canvas.drawRightString(units_x, y, str(section.teaching_units))
            for line in title_lines:
                canvas.drawString(margin, y, line)
                y -= 13
            y -= 3
            total_units += section.teaching_units
        canvas.line(margin, y + 8, units_x, y + 8)
        y -= 6
        canvas.setFont(BOLD, 10)
        canvas.drawString(margin, y, _("Gesamt"))
        canvas.drawRightString(units_x, y, str(total_units))
        y -= 14
        canvas.setFont(REGULAR, 8.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(margin, y, _("UE = Unterrichtseinheit zu 45 Minuten"))

        # Issue date and signatory.
        y = 92 * mm
        canvas.setFillColor(INK)
        canvas.setFont(REGULAR, 11)
        canvas.drawString(
            margin, y, _("Ausgestellt am %(date)s") % {"date": _german_date(content.issued_at)}
        )
        if content.valid_until:
            canvas.drawString(
                margin,
                y - 14,
                _("Gültig bis %(date)s") % {"date": _german_date(content.valid_until)},
            )
        if content.renews:
            canvas.drawString(
                margin,
                y - 28,
                _("Erneuerung des Zertifikats %(serial)s") % {"serial": content.renews},
            )
        if content.signature is not None:
            # Above the signatory's line, at most 60 × 16 mm, right-aligned with it.
            _draw_picture(canvas, content.signature, width - margin, y + 4, 60 * mm, 16 * mm, "se")
        if content.signatory_name:
            canvas.setStrokeColor(INK)
            canvas.line(width - margin - 70 * mm, y + 2, width - margin, y + 2)
            canvas.setFont(BOLD, 10)
            canvas.drawRightString(width - margin, y - 12, content.signatory_name)
            if content.signatory_role:
                canvas.setFont(REGULAR, 9)
                canvas.drawRightString(width - margin, y - 24, content.signatory_role)

        # Verification: QR code with the long token, short link and code to type by hand.
        qr_size = 38 * mm
        qr_y = 22 * mm
        _draw_qr(canvas, content.verify_url, margin - 2 * mm, qr_y, qr_size)
        x = margin + qr_size + 4 * mm
        line_y = qr_y + qr_size - 8 * mm
        canvas.setFillColor(INK)
        canvas.setFont(BOLD, 10)
        canvas.drawString(x, line_y, _("Echtheit prüfen"))
        canvas.setFont(REGULAR, 9)
        canvas.drawString(x, line_y - 14, content.short_url)
        canvas.drawString(x, line_y - 28, _("Prüfcode: %(code)s") % {"code": content.display_code})
        canvas.drawString(
            x, line_y - 42, _("Zertifikatsnummer: %(serial)s") % {"serial": content.serial}
        )
        canvas.setFillColor(MUTED)
        canvas.setFont(REGULAR, 7.5)
        canvas.drawString(
            x,
            line_y - 58,
            _("Elektronisch signiert (Ed25519). Die Echtheit ist mit Link oder Prüfcode prüfbar."),
        )
        canvas.showPage()
        canvas.save()
    return buffer.getvalue()
