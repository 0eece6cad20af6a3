"""The qualification in the holder's own form, chosen in Mein Konto before the certificate is
issued: printed on the certificate, shown on the verification page, signed; a later change
leaves the issued certificate as it is. The signatory's signature image comes from the
certificate text setting; the person is notified of the certificate."""

import subprocess

import pytest
from django.core.cache import cache
from django.test import Client
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from accounts.models import Notification
from certificates import services
from certificates.models import CertificateText
from certificates.qualification import qualification_title
from tests.certificates.conftest import complete

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


def pdf_text(certificate, tmp_path) -> str:
    source = tmp_path / "z.pdf"
    with certificate.pdf.open("rb") as handle:
        source.write_bytes(handle.read())
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(source), "-"], capture_output=True)
    return " ".join(out.stdout.decode().split())


@pytest.mark.parametrize(
    ("course_title", "form", "expected"),
    [
        (
            "Experte für digitalen Bürgerservice (IHK)",
            "expertin",
            "Expertin für digitalen Bürgerservice (IHK)",
        ),
        (
            "Experte für digitalen Bürgerservice (IHK)",
            "experte",
            "Experte für digitalen Bürgerservice (IHK)",
        ),
        (
            "Experte für digitalen Bürgerservice (IHK)",
            "fachperson",
            "Fachperson für digitalen Bürgerservice (IHK)",
        ),
        ("Experte für digitalen Bürgerservice", "expertin", "Expertin für digitalen Bürgerservice"),
        (
            "Experte für digitalen Bürgerservice",
            "unbekannt",
            "Fachperson für digitalen Bürgerservice",
        ),
        ("Datenschutz am Schalter", "expertin", ""),
        ("Experte", "expertin", ""),
    ],
)
def test_the_qualification_takes_the_holders_form(course_title, form, expected):
    assert qualification_title(course_title, form) == expected


def test_the_chosen_form_is_on_the_certificate_and_the_verification_page(
    enrollment, course, tmp_path
):
    # given a course whose title carries "(IHK)" and a participant who chose «Expertin»
    course.page.title = "Experte für digitalen Bürgerservice (IHK)"
    course.page.save_revision().publish()
    participant = Client()
    participant.force_login(enrollment.user)
    participant.post("/konto/bezeichnung/", {"qualification_form": "expertin"})
    # when the course is completed and the certificate issued
    complete(enrollment, course)
    certificate = services.issue_certificate(enrollment_id=enrollment.pk).certificate
    # then the certificate names the qualification in her form, "(IHK)" included, signed
    assert certificate.holder_title == "Expertin für digitalen Bürgerservice (IHK)"
    assert "Qualifikation: Expertin für digitalen Bürgerservice (IHK)" in pdf_text(
        certificate, tmp_path
    )
    assert '"holder_title":"Expertin für digitalen Bürgerservice (IHK)"' in (
        certificate.signed_payload
    )
    # and so does the public verification page
    html = Client().get(f"/zertifikate/pruefen/{certificate.display_code}/").content.decode()
    assert "<dt>Qualifikation</dt><dd>Expertin für digitalen Bürgerservice (IHK)</dd>" in html
    # and Mein Konto lists the certificate
    notification = Notification.objects.get(user=enrollment.user, kind="certificate_issued")
    assert notification.link == f"/zertifikate/{certificate.pk}/pdf/"
    assert certificate.serial in participant.get("/konto/").content.decode()
    # a later change of the form leaves the issued certificate as it is
    participant.post("/konto/bezeichnung/", {"qualification_form": "experte"})
    certificate.refresh_from_db()
    assert certificate.holder_title == "Expertin für digitalen Bürgerservice (IHK)"


def test_without_a_choice_the_form_is_neutral(enrollment, course):
    complete(enrollment, course)
    certificate = services.issue_certificate(enrollment_id=enrollment.pk).certificate
    assert certificate.holder_title == "Fachperson für digitalen Bürgerservice"


def test_the_signature_image_of_the_setting_is_drawn(enrollment, course):
    text = CertificateText.load()
    text.signatory_name, text.signatory_role = "Regula Meier", "Kursleitung"
    text.signature_image = Image.objects.create(
        title="Unterschrift", file=get_test_image_file(filename="unterschrift.png")
    )
    text.save()
    complete(enrollment, course)
    certificate = services.issue_certificate(enrollment_id=enrollment.pk).certificate
    with certificate.pdf.open("rb") as handle:
        assert b"/Subtype /Image" in handle.read()
