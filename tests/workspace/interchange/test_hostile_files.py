"""Files an attacker (or a broken export) uploads: each is refused with a German message, the
trainer is back at the form, and nothing is saved."""

from xml.parsers.expat import errors as expat_errors  # noqa: S410

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.models import Revision

from tests.factories import editor
from training.models import Quiz
from workspace.interchange import gift, mapping, model, moodle_xml, services

IMPORT_URL = "/admin/fragen-austausch/"

pytestmark = pytest.mark.django_db


def _multichoice(*, grade="1", right="100", wrong="0", answers=""):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<quiz><question type="multichoice">'
        '<name><text>n</text></name><questiontext format="html"><text>Frage?</text>'
        f"</questiontext><defaultgrade>{grade}</defaultgrade><single>true</single>"
        f'<answer fraction="{right}"><text>a</text></answer>'
        f'<answer fraction="{wrong}"><text>b</text></answer>{answers}</question></quiz>'
    ).encode()


@pytest.fixture
def trainer_client(client):
    client.force_login(editor())
    return client


def _refused(client, name: str, content: bytes) -> str:
    """Uploads a file meant to be refused; returns the page after checking nothing changed."""
    quizzes, revisions = Quiz.objects.count(), Revision.objects.count()
    data = {"file": SimpleUploadedFile(name, content), "target": "new", "title": "Angriff"}
    response = client.post(IMPORT_URL, data)
    assert response.status_code == 400
    assert (Quiz.objects.count(), Revision.objects.count()) == (quizzes, revisions)
    return response.content.decode()


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE quiz [\n <!ENTITY a "lol">\n'
    + b"".join(
        f' <!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">\n'.encode() for n in range(9)
    )
    + b"]>\n<quiz>&j;</quiz>"
)
XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    b'<quiz><question type="essay"><questiontext><text>&x;</text></questiontext>'
    b"</question></quiz>"
)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("gross.xml", b"<quiz>" + b" " * model.MAX_FILE_BYTES + b"</quiz>", model.FILE_TOO_LARGE),
        ("lachen.xml", BILLION_LAUGHS, moodle_xml.FORBIDDEN_XML),
        ("xxe.xml", XXE, moodle_xml.FORBIDDEN_XML),
        ("utf16.gift", "Ist das wahr? {T}".encode("utf-16"), model.NOT_UTF8),
        ("latin1.txt", "Gilt die Frist für Anträge? {T}".encode("latin-1"), model.NOT_UTF8),
        ("binaer.gift", b"Frage\x00 {T}\n", model.MalformedFile(model.NUL_CHARACTER, line=1)),
        (
            "latin1.xml",
            '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n<question type="essay"><questiontext>'
            "<text>Gebühr</text></questiontext></question></quiz>".encode("latin-1"),
            model.MalformedFile(
                moodle_xml.NOT_WELL_FORMED
                % {"detail": moodle_xml._EXPAT_DETAILS[expat_errors.XML_ERROR_INVALID_TOKEN]},
                line=3,
            ),
        ),
        (
            "kaputt.xml",
            b"<quiz>\n<question type='essay'>\n</quiz>",
            model.MalformedFile(
                moodle_xml.NOT_WELL_FORMED
                % {"detail": moodle_xml._EXPAT_DETAILS[expat_errors.XML_ERROR_TAG_MISMATCH]},
                line=3,
            ),
        ),
        ("unsinn.xml", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), None),
        (
            "bruch.xml",
            _multichoice(right="1e999999"),
            moodle_xml.BAD_FRACTION % {"number": 1, "value": "1e999999"},
        ),
        (
            "antworten.xml",
            _multichoice(answers='<answer fraction="0"><text>c</text></answer>' * 60),
            moodle_xml.TOO_MANY_ANSWERS % {"number": 1, "limit": model.MAX_ANSWERS},
        ),
        (
            "antworten.gift",
            b"\n// viele Antworten\nFrage {=a" + b" ~b" * 60 + b"}\n",
            model.MalformedFile(model.TOO_MANY_ANSWERS % {"limit": model.MAX_ANSWERS}, line=3),
        ),
        (
            "viele.xml",
            b"<quiz>" + b'<question type="essay"/>' * (model.MAX_QUESTIONS + 1) + b"</quiz>",
            model.TOO_MANY_QUESTIONS % {"limit": model.MAX_QUESTIONS},
        ),
        ("leer.gift", b"", "Die übertragene Datei ist leer."),
    ],
)
def test_a_hostile_or_broken_file_is_refused_in_german_and_saves_nothing(
    trainer_client, name, content, message
):
    page = _refused(trainer_client, name, content)
    if isinstance(message, model.MalformedFile):
        message = message.message
    if message is None:  # no fixed text: a German sentence about the XML, not expat's English
        assert "Das XML ist nicht wohlgeformt" in page and "not well-formed" not in page
    else:
        assert str(message) in page


def test_points_and_weights_beyond_any_bound_are_refused_per_question_at_once(trainer_client):
    # given a file whose points would take minutes to turn into an integer
    content = _multichoice(grade="1e999999")
    # when it is uploaded
    response = trainer_client.post(
        IMPORT_URL,
        {"file": SimpleUploadedFile("punkte.xml", content), "target": "new", "title": "Punkte"},
    )
    # then the preview names the reason for the question, and saving saves nothing
    page = trainer_client.get(response["Location"]).content.decode()
    reason = mapping.BAD_POINTS % {"points": "1E+999999", "limit": mapping.MAX_POINTS}
    assert str(reason) in page
    response = trainer_client.post(response["Location"], {"save": "1"})
    assert response.status_code == 400
    assert str(services.NOTHING_TO_IMPORT) in response.content.decode()
    assert not Quiz.objects.filter(title="Punkte").exists()
    # and the preview is still there to cancel
    assert trainer_client.get(response.wsgi_request.path).status_code == 200


def test_gift_hints_that_are_no_numbers_are_ignored():
    # a signalling NaN would raise on comparison; an unusable hint means our default points
    (question,) = gift.parse("// bsa:points=sNaN\nIst das so? {T}")
    assert mapping.to_block(question).block["value"]["points"] == 1
