"""Moodle XML as Moodle exports it, read safely."""

from decimal import Decimal
from pathlib import Path

import pytest

from workspace.interchange import mapping, moodle_xml, services
from workspace.interchange.model import MAX_FILE_BYTES, MAX_QUESTIONS, MalformedFile

FIXTURES = Path(__file__).parent / "fixtures"


def _items():
    raws = moodle_xml.parse((FIXTURES / "fragensammlung.xml").read_bytes())
    return {raw.name: mapping.to_block(raw) for raw in raws}


def test_single_choice_html_is_plain_text_with_points_shuffle_and_category():
    item = _items()["BITV"]
    value = item.block["value"]
    assert item.block["type"] == "single_choice"
    assert value["text"] == (
        "Welche Verordnung regelt die Barrierefreiheit von Websites öffentlicher Stellen in "
        "Deutschland?\n\nBITV-Logo"
    )
    assert value["points"] == 2
    assert value["answer_order"] == "random"
    assert value["category"] == "Standard für BSA/Barrierefreiheit"
    assert [(a["value"]["text"], a["value"]["correct"]) for a in value["answers"]] == [
        ("BITV 2.0", True),
        ("DSGVO", False),
        ("StVO", False),
    ]
    assert value["answers"][0]["value"]["feedback"] == "Richtig & vollständig."
    assert value["explanation"] == "<p>Die BITV 2.0 setzt die EU-Richtlinie 2016/2102 um.</p>"


def test_thirds_with_a_negative_third_are_right_minus_wrong():
    value = _items()["Prinzipien"].block["value"]
    assert value["scoring"] == "right_minus_wrong"
    assert value["points"] == 3
    assert [a["value"]["correct"] for a in value["answers"]] == [True, True, True, False]
    assert value["answers"][3]["value"]["feedback"] == "Nein, Farbe allein genügt nie."


def test_a_penalty_of_minus_100_with_two_right_answers_is_refused():
    item = _items()["Strenger Abzug"]
    assert item.block is None
    assert item.reason == str(mapping.MULTI_PENALTY % {"weights": "-100 %", "share": "50"})


def test_true_false_and_essay_with_model_answer():
    items = _items()
    assert items["Alternativtext"].block["value"]["correct"] is True
    essay = items["Praxisfall"].block["value"]
    assert essay["text"] == (
        "Ein Bürger mit Sehbehinderung kann das Formular nicht ausfüllen.\n\nWas tun Sie?"
    )
    assert essay["points"] == 5
    assert essay["category"] == "Standard für BSA/Praxis"
    assert essay["model_answer"] == "<p>Alternative Zugänge anbieten</p><p>Barriere melden</p>"


def test_unsupported_types_are_listed_with_reasons():
    items = _items()
    assert items["Abkürzung"].reason == str(mapping.UNSUPPORTED["shortanswer"])
    assert items["Zuordnung"].reason == str(mapping.UNSUPPORTED["matching"])
    assert items["Lückentext"].reason == str(mapping.UNSUPPORTED["multianswer"])
    assert items["Ziehen"].reason == str(mapping.UNSUPPORTED["ddwtos"])


def test_entities_and_dtds_are_refused():
    # given a billion-laughs style file
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<quiz>&b;</quiz>'
    )
    with pytest.raises(MalformedFile) as error:
        moodle_xml.parse(bomb)
    assert error.value.message == str(moodle_xml.FORBIDDEN_XML)
    # and an external entity
    external = b'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY x SYSTEM "file:///etc/passwd">]><quiz>&x;</quiz>'
    with pytest.raises(MalformedFile):
        moodle_xml.parse(external)


def test_malformed_xml_names_the_line():
    with pytest.raises(MalformedFile) as error:
        moodle_xml.parse(b'<?xml version="1.0"?>\n<quiz>\n  <question type="essay">\n</quiz>')
    assert error.value.line == 4
    assert error.value.message.startswith("Zeile 4: Das XML ist nicht wohlgeformt")


def test_a_fraction_that_is_no_number_is_a_german_error():
    data = (
        b'<quiz><question type="multichoice">'
        b'<answer fraction="viel"><text>a</text></answer></question></quiz>'
    )
    with pytest.raises(MalformedFile) as error:
        moodle_xml.parse(data)
    assert error.value.message == str(moodle_xml.BAD_FRACTION % {"number": 1, "value": "viel"})


def test_size_and_question_count_limits():
    with pytest.raises(MalformedFile) as error:
        services.read_upload(name="gross.xml", data=b" " * (MAX_FILE_BYTES + 1))
    assert error.value.message == str(services.FILE_TOO_LARGE)
    many = "\n\n".join(f"Frage {n} {{T}}" for n in range(MAX_QUESTIONS + 1)).encode()
    with pytest.raises(MalformedFile) as error:
        services.read_upload(name="viele.gift", data=many)
    assert error.value.message == str(services.TOO_MANY_QUESTIONS % {"limit": MAX_QUESTIONS})
    with pytest.raises(MalformedFile) as error:
        services.read_upload(name="latin1.txt", data="Frage ä {T}".encode("latin-1"))
    assert error.value.message == str(services.NOT_UTF8)


def test_fractions_are_decimals_not_floats():
    raws = moodle_xml.parse((FIXTURES / "fragensammlung.xml").read_bytes())
    principles = next(r for r in raws if r.name == "Prinzipien")
    assert principles.answers[0].fraction == Decimal("33.33333")
