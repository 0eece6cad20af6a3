"""GIFT files as Moodle writes them: what becomes which block, what is refused and why."""

from pathlib import Path

import pytest

from workspace.interchange import gift, mapping
from workspace.interchange.model import MalformedFile

FIXTURES = Path(__file__).parent / "fixtures"


def _items():
    raws = gift.parse((FIXTURES / "fragensammlung.gift").read_text(encoding="utf-8"))
    return {raw.name or f"#{raw.number}": mapping.to_block(raw) for raw in raws}


def test_single_choice_with_html_text_feedback_and_category():
    # given the handwritten Moodle GIFT bank
    # when it is read
    item = _items()["OZG Ziel"]
    # then the HTML question text is plain text, the category path lost Moodle's context levels
    value = item.block["value"]
    assert item.block["type"] == "single_choice"
    assert value["text"] == "Was verlangt das Onlinezugangsgesetz (OZG)?"
    assert value["category"] == "Standard für Kurs/E-Government"
    assert [(a["value"]["text"], a["value"]["correct"]) for a in value["answers"]] == [
        ("Verwaltungsleistungen auch online anzubieten", True),
        ("Alle Ämter zu schliessen", False),
        ("Papieranträge zu verbieten", False),
    ]
    # and the escaped colon of the feedback is a colon, general feedback the explanation
    assert value["answers"][0]["value"]["feedback"] == "Genau: das ist der Kern."
    assert value["explanation"] == (
        "<p>Das OZG verpflichtet Bund und Länder, Leistungen auch digital anzubieten.</p>"
    )
    assert item.line == 6


def test_multi_response_with_negative_percentages_is_right_minus_wrong():
    item = _items()["Behörden"]
    value = item.block["value"]
    assert item.block["type"] == "multiple_choice"
    assert value["scoring"] == "right_minus_wrong"
    assert [a["value"]["correct"] for a in value["answers"]] == [True, True, False, False]
    assert value["answers"][2]["value"]["feedback"] == "Ein Verein ist keine Behörde."


def test_escaped_characters_are_literal():
    value = _items()["Zeichen"].block["value"]
    assert value["text"] == (
        "Welche Schreibweise meint {Platzhalter} mit Gleichheitszeichen = und Tilde ~?"
    )
    assert [a["value"]["text"] for a in value["answers"]] == ["a = b # c", "a ~ b"]


def test_true_false_and_essay_with_their_category():
    items = _items()
    true_false = items["DSGVO"]
    assert true_false.block["type"] == "true_false"
    assert true_false.block["value"]["correct"] is True
    assert true_false.block["value"]["category"] == "Standard für Kurs/Datenschutz"
    assert true_false.block["value"]["explanation"] == "<p>Art. 2 DSGVO nennt die Ausnahmen.</p>"
    assert true_false.notes == [str(mapping.TRUE_FALSE_FEEDBACK_DROPPED)]
    essay = items["Reflexion"]
    assert essay.block["type"] == "essay"
    assert essay.block["value"]["explanation"] == "<p>Achten Sie auf Barrierefreiheit.</p>"


def test_weights_our_scoring_cannot_express_are_refused_with_the_reason():
    items = _items()
    assert items["Ungleich"].block is None
    assert items["Ungleich"].reason == str(
        mapping.MULTI_UNEQUAL % {"weights": "70 %, 30 %", "share": "50"}
    )
    assert items["Ohne Abzug"].block is None
    assert items["Ohne Abzug"].reason == str(mapping.MULTI_NO_PENALTY % {"share": "50"})


def test_unsupported_types_are_listed_with_a_german_reason():
    items = _items()
    assert items["Kurzantwort"].reason == str(mapping.UNSUPPORTED["shortanswer"])
    assert items["Zahl"].reason == str(mapping.UNSUPPORTED["numerical"])
    assert items["Zuordnung"].reason == str(mapping.UNSUPPORTED["matching"])


def test_a_missing_word_question_becomes_a_single_choice_with_a_gap():
    item = _items()["#11"]
    assert item.block["value"]["text"] == "Das Bundesportal ist unter _____ erreichbar."
    assert [a["value"]["correct"] for a in item.block["value"]["answers"]] == [False, True, False]


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("::A:: Frage {=a ~b}\n\n::B:: Zweite\n{=a ~b", 4, gift.UNCLOSED_BRACE),
        ("// Kommentar\n\nFrage } {=a ~b}", 3, gift.STRAY_CLOSING_BRACE),
        ("::Titel ohne Ende {=a ~b}", 1, gift.UNCLOSED_TITLE),
        ("Frage {=a\n~b {~c}}", 2, gift.NESTED_BRACE),
        ("Frage {=a ~b} und {~c =d}", 1, gift.TWO_ANSWER_BLOCKS),
        ("Frage\n{\n~%zehn%a ~b}", 2, gift.BAD_WEIGHT % {"weight": "zehn"}),
    ],
)
def test_a_malformed_file_gets_a_german_message_with_the_line(source, line, message):
    with pytest.raises(MalformedFile) as error:
        gift.parse(source)
    assert error.value.line == line
    assert error.value.message == f"Zeile {line}: {message}"
