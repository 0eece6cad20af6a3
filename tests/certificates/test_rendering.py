import io
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from django.utils import timezone

from certificates.branding import Picture
from certificates.rendering import CertificateContent, SectionLine, render_certificate
from certificates.units import teaching_units

CONTENT = CertificateContent(
    serial="DBS-2027-000042",
    holder_name="Jürgen Weißmüller-Größ",
    course_title="Experte für digitalen Bürgerservice",
    sections=[
        SectionLine("Digitale Service-Expertise", date(2027, 3, 1), 3),
        SectionLine("Digitales Service-Mindset", date(2027, 3, 5), 2),
        SectionLine("Bürgerinteraktion 4.0", date(2027, 3, 9), 2),
    ],
    issued_at=timezone.make_aware(datetime(2027, 3, 9, 14, 0)),
    verify_url="https://akademie.example.ch/zertifikate/pruefen/" + "A" * 43 + "/",
    short_url="akademie.example.ch/zertifikate/pruefen/K7Q2-M8XH-4TC9/",
    display_code="K7Q2-M8XH-4TC9",
    organisation="Bürgerservice-Akademie",
    title="Zertifikat",
    explanatory_text="Die Weiterbildung vermittelt drei Kompetenzbereiche.",
    signatory_name="Regula Meier",
    signatory_role="Kursleitung",
)


@pytest.mark.parametrize(
    ("minutes", "units"), [(0, 0), (10, 1), (45, 1), (67, 1), (68, 2), (90, 2), (125, 3)]
)
def test_teaching_units_are_45_minutes_rounded_half_up(minutes, units):
    assert teaching_units(minutes) == units


def test_the_certificate_is_one_a4_page_with_embedded_dejavu_fonts():
    pdf = render_certificate(CONTENT)
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 1
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in pdf
    # both fonts are embedded subsets (FontFile2), and no unembedded base-14 font is used
    assert set(re.findall(rb"/BaseFont /[A-Z]{6}\+(DejaVuSans(?:-Bold)?)", pdf)) == {
        b"DejaVuSans",
        b"DejaVuSans-Bold",
    }
    assert pdf.count(b"/FontFile2") == 2
    assert b"Helvetica" not in pdf
    assert b"/Lang (de)" in pdf


def test_the_document_title_names_the_serial():
    pdf = render_certificate(CONTENT)
    title = re.search(rb"/Title \((.*?)\)", pdf).group(1)
    assert b"DBS-2027-000042" in title


def test_rendering_is_deterministic():
    assert render_certificate(CONTENT) == render_certificate(CONTENT)


def _poppler_and_zbar():
    missing = [tool for tool in ("pdftotext", "pdftoppm", "zbarimg") if not shutil.which(tool)]
    assert not missing, (
        f"{', '.join(missing)} missing: `make test` installs Debian's poppler-utils and zbar-tools"
    )


def _page_text(pdf: bytes, tmp_path) -> str:
    source = tmp_path / "zertifikat.pdf"
    source.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(source), "-"],
        capture_output=True,
        check=True,
    )
    return out.stdout.decode("utf-8")


def test_the_page_reads_as_the_certificate_with_umlauts_dates_and_units(tmp_path):
    # given
    _poppler_and_zbar()
    # when
    text = _page_text(render_certificate(CONTENT), tmp_path)
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    # then: every fact a reader needs is real, extractable text (umlauts and ß intact)
    for expected in (
        "Bürgerservice-Akademie",
        "Zertifikat",
        "Hiermit wird bestätigt, dass",
        "Jürgen Weißmüller-Größ",
        "Experte für digitalen Bürgerservice",
        "erfolgreich abgeschlossen hat.",
        "Die Weiterbildung vermittelt drei Kompetenzbereiche.",
        "Lernbereich abgeschlossen am UE",
        "Digitale Service-Expertise 1. März 2027 3",
        "Digitales Service-Mindset 5. März 2027 2",
        "Bürgerinteraktion 4.0 9. März 2027 2",
        "Gesamt 7",
        "Regula Meier",
        "Kursleitung",
        "akademie.example.ch/zertifikate/pruefen/K7Q2-M8XH-4TC9/",
        "Prüfcode: K7Q2-M8XH-4TC9",
        "Zertifikatsnummer: DBS-2027-000042",
    ):
        assert any(expected in line for line in lines), (expected, lines)
    assert any(line.startswith("Ausgestellt am 9. März 2027") for line in lines), lines


def test_the_qr_code_scans_to_the_verification_link(tmp_path):
    # given
    _poppler_and_zbar()
    source = tmp_path / "zertifikat.pdf"
    source.write_bytes(render_certificate(CONTENT))
    # when: the page as a 200 dpi image, read by a barcode scanner
    subprocess.run(
        ["pdftoppm", "-png", "-r", "200", "-singlefile", str(source), str(tmp_path / "page")],
        check=True,
    )
    scanned = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(tmp_path / "page.png")],
        capture_output=True,
        check=True,
    )
    # then
    assert scanned.stdout.decode().strip() == CONTENT.verify_url


def test_a_certificate_with_an_end_date_prints_it_and_a_renewal_names_the_previous_one(tmp_path):
    # given a renewed certificate valid for a year
    _poppler_and_zbar()
    content = replace(
        CONTENT,
        valid_until=timezone.make_aware(datetime(2028, 3, 9, 14, 0)),
        renews="DBS-2026-000007",
    )
    # when it is rendered
    text = _page_text(render_certificate(content), tmp_path)
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    # then the end date and the renewed certificate are printed as text
    assert any("Gültig bis 9. März 2028" in line for line in lines), lines
    assert any("Erneuerung des Zertifikats DBS-2026-000007" in line for line in lines), lines
    # and a first certificate without an end date prints neither
    plain = _page_text(render_certificate(CONTENT), tmp_path)
    assert "Gültig bis" not in plain and "Erneuerung" not in plain


# --- branding, signatory, qualification, issue date; the page as an image ------------------------

ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"


def _png(width: int, height: int, colour: str) -> Picture:
    """A small image as the branding logo or a scanned signature would be."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, width // 3, height - 1], fill=colour)
    draw.line([(width // 3, height // 2), (width - 1, height // 3)], fill=colour, width=6)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return Picture(png=buffer.getvalue(), width=width, height=height, alt="Logo")


BRANDED = replace(
    CONTENT,
    course_title="Experte für digitalen Bürgerservice (IHK)",
    holder_title="Expertin für digitalen Bürgerservice (IHK)",
    logo=_png(400, 160, "#0b4f6c"),
    signature=_png(600, 180, "#1a1a1a"),
)


def test_the_pdf_creation_date_is_the_issue_date():
    pdf = render_certificate(CONTENT)
    # 9 March 2027, 14:00 in the site's time zone (Europe/Zurich, UTC+1 in winter)
    assert b"/CreationDate (D:20270309140000+01'00')" in pdf
    assert b"/ModDate (D:20270309140000+01'00')" in pdf


def test_logo_and_signature_are_drawn_as_images_and_optional():
    assert render_certificate(CONTENT).count(b"/Subtype /Image") == 0
    branded = render_certificate(BRANDED)
    # two pictures, each an image with its transparency as a soft mask (another image)
    assert branded.count(b"/SMask") == 2
    assert branded.count(b"/Subtype /Image") == 4
    assert render_certificate(BRANDED) == render_certificate(BRANDED)  # still deterministic


def test_the_branded_page_renders_to_an_image_reads_back_and_scans(tmp_path):
    # given
    _poppler_and_zbar()
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTEFACTS / "zertifikat.pdf"
    source.write_bytes(render_certificate(BRANDED))
    # when: the page as a 150 dpi PNG, kept as a test artefact (var/ is not committed)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "150",
            "-singlefile",
            str(source),
            str(ARTEFACTS / "zertifikat"),
        ],
        check=True,
    )
    image = ARTEFACTS / "zertifikat.png"
    assert image.stat().st_size > 20_000
    # then the text reads back: the qualification in the holder's form, with "(IHK)"
    text = _page_text(source.read_bytes(), tmp_path)
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    for expected in (
        "Jürgen Weißmüller-Größ",
        "Experte für digitalen Bürgerservice (IHK)",
        "Qualifikation:",
        "Expertin für digitalen Bürgerservice (IHK)",
        "Regula Meier",
        "Kursleitung",
        "Ausgestellt am 9. März 2027",
    ):
        assert any(expected in line for line in lines), (expected, lines)
    # and the QR code on the image scans to the verification link
    scanned = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(image)],
        capture_output=True,
        check=True,
    )
    assert scanned.stdout.decode().strip() == CONTENT.verify_url


def test_nothing_overlaps_the_table_the_signature_or_the_qr_code(tmp_path):
    # given the longest content: name and qualification on two lines each, a valid-until line
    long = replace(
        BRANDED,
        holder_name="Anna-Lena Müller-Lüdenscheidt von Hohenzollern-Sigmaringen-Weißenfels",
        valid_until=timezone.make_aware(datetime(2029, 3, 9, 14, 0)),
    )
    source = tmp_path / "lang.pdf"
    source.write_bytes(render_certificate(long))
    # when the words' boxes are read back
    out = subprocess.run(
        ["pdftotext", "-bbox", str(source), "-"], capture_output=True, check=True
    ).stdout.decode()
    boxes = [
        tuple(float(v) for v in m.groups())
        for m in re.finditer(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', out)
    ]
    words = re.findall(r">([^<]+)</word>", out)
    total = next(i for i, w in enumerate(words) if w == "Gesamt")
    issued = next(i for i, w in enumerate(words) if w == "Ausgestellt")
    # then the table ends above the issue date and signature block
    assert boxes[total][1] < boxes[issued][0] - 20
