import re
from datetime import date, datetime

import pytest
from django.utils import timezone

from certificates.rendering import (
    CertificateContent,
    SectionLine,
    render_certificate,
    teaching_units,
)

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
