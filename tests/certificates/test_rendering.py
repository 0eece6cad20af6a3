import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date, datetime

import pytest
from django.utils import timezone

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
