"""Moodle XML (``<quiz><question type="…">``): reading into and writing from RawQuestion.

Read through ``defusedxml``: no entities, no DTDs, no external references. Our points travel in
``<defaultgrade>``; our multiple-choice scoring mode, which Moodle cannot express by fractions
alone, in a question tag ``bsa-scoring:<mode>`` (Moodle keeps tags on import).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError, SubElement, tostring  # noqa: S405
from xml.parsers.expat import errors as expat_errors  # noqa: S410 (only its error codes)

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from django.utils.translation import gettext_lazy as _

from workspace.interchange.model import (
    MAX_ANSWERS,
    MalformedFile,
    RawAnswer,
    RawQuestion,
    category_from_path,
    category_to_path,
    check_counts,
    html_to_text,
    normalize_text,
    shown,
    text_to_html,
)

NOT_WELL_FORMED = _("Das XML ist nicht wohlgeformt (%(detail)s).")
NOT_WELL_FORMED_PLAIN = _("Das XML ist nicht wohlgeformt.")
# Expat's own messages are English; the common ones in German, the others without detail.
_EXPAT_DETAILS = {
    expat_errors.XML_ERROR_INVALID_TOKEN: _(
        "ungültiges Zeichen; ist die Datei in der angegebenen Kodierung, meist UTF-8, gespeichert?"
    ),
    expat_errors.XML_ERROR_TAG_MISMATCH: _("ein End-Tag passt nicht zum offenen Element"),
    expat_errors.XML_ERROR_UNCLOSED_TOKEN: _("ein Element ist nicht abgeschlossen"),
    expat_errors.XML_ERROR_NO_ELEMENTS: _("die Datei enthält kein Element"),
    expat_errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT: _(
        "nach dem Wurzelelement folgt weiterer Inhalt"
    ),
    expat_errors.XML_ERROR_UNDEFINED_ENTITY: _("unbekannte Entity"),
    expat_errors.XML_ERROR_UNKNOWN_ENCODING: _("unbekannte Zeichenkodierung"),
    expat_errors.XML_ERROR_INCORRECT_ENCODING: _("die angegebene Zeichenkodierung stimmt nicht"),
    expat_errors.XML_ERROR_BAD_CHAR_REF: _("Verweis auf ein unzulässiges Zeichen"),
    expat_errors.XML_ERROR_SYNTAX: _("Syntaxfehler"),
    expat_errors.XML_ERROR_DUPLICATE_ATTRIBUTE: _("ein Attribut steht doppelt"),
}
_EXPAT_CODES = {expat_errors.codes[message]: detail for message, detail in _EXPAT_DETAILS.items()}
FORBIDDEN_XML = _(
    "Die Datei enthält DTD- oder Entity-Deklarationen. Diese werden aus Sicherheitsgründen "
    "nicht gelesen."
)
NOT_MOODLE_XML = _("Das ist keine Moodle-XML-Datei: Das Wurzelelement muss <quiz> sein.")
BAD_FRACTION = _(
    "Frage %(number)s: Die Gewichtung «%(value)s» ist keine Zahl zwischen -100 und 100."
)
TOO_MANY_ANSWERS = _("Frage %(number)s hat mehr als %(limit)s Antworten.")
SCORING_TAG = "bsa-scoring:"


def _text(element: Element | None, path: str = "text") -> str:
    if element is None:
        return ""
    child = element.find(path)
    return (child.text or "") if child is not None else ""


def _formatted(element: Element | None) -> str:
    """The plain text of a ``<questiontext format="…"><text>`` style element."""
    if element is None:
        return ""
    raw = _text(element)
    if element.get("format", "html") in ("html", "moodle_auto_format"):
        return html_to_text(raw)
    return normalize_text(raw)


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes")


def _decimal(value: str | None) -> Decimal | None:
    try:
        number = Decimal((value or "").strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def parse(data: bytes) -> list[RawQuestion]:
    """Every question of a Moodle XML file, in order. Raises :class:`MalformedFile`."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as error:
        raise MalformedFile(FORBIDDEN_XML) from error
    except ParseError as error:
        line = error.position[0] if getattr(error, "position", None) else None
        detail = _EXPAT_CODES.get(getattr(error, "code", None))
        message = NOT_WELL_FORMED % {"detail": detail} if detail else NOT_WELL_FORMED_PLAIN
        raise MalformedFile(message, line=line) from error
    if root.tag != "quiz":
        raise MalformedFile(NOT_MOODLE_XML)
    questions: list[RawQuestion] = []
    category = ""
    for element in root.findall("question"):
        qtype = element.get("type", "")
        if qtype == "category":
            category = category_from_path(_text(element.find("category")))
            continue
        number = len(questions) + 1
        question = RawQuestion(
            qtype=qtype,
            name=normalize_text(_text(element.find("name"))),
            text=_formatted(element.find("questiontext")),
            category=category,
            general_feedback=_formatted(element.find("generalfeedback")),
            points=_decimal(element.findtext("defaultgrade")),
            number=number,
        )
        tags = [normalize_text(_text(tag)) for tag in element.findall("tags/tag")]
        for tag in tags:
            if tag.startswith(SCORING_TAG):
                question.scoring = tag[len(SCORING_TAG) :]
        if qtype in ("multichoice", "multichoiceset", "truefalse"):
            question.single = _bool(element.findtext("single"), qtype != "multichoiceset")
            shuffle = element.findtext("shuffleanswers")
            question.shuffle = None if shuffle is None else _bool(shuffle, False)
            answers = element.findall("answer")
            if len(answers) > MAX_ANSWERS:
                raise MalformedFile(TOO_MANY_ANSWERS % {"number": number, "limit": MAX_ANSWERS})
            for answer in answers:
                fraction = _decimal(answer.get("fraction", "0"))
                if fraction is None or abs(fraction) > 100:
                    raise MalformedFile(
                        BAD_FRACTION % {"number": number, "value": shown(answer.get("fraction"))}
                    )
                if qtype == "multichoiceset":
                    # All-or-nothing: Moodle marks each correct answer with "1", wrong with "0".
                    fraction = Decimal(100) if fraction > 0 else Decimal(0)
                question.answers.append(
                    RawAnswer(
                        text=_formatted(answer),
                        fraction=fraction,
                        feedback=_formatted(answer.find("feedback")),
                    )
                )
        if qtype == "truefalse":
            right = [a for a in question.answers if a.fraction > 0]
            question.truth = bool(right) and right[0].text.strip().lower() in ("true", "wahr")
        if qtype == "essay":
            question.model_answer = _formatted(element.find("graderinfo"))
        questions.append(question)
        check_counts(questions)
    return questions


# --- Writing ----------------------------------------------------------------------------------


def _add_text(parent: Element, tag: str, value: str, *, html: bool = True, **attrs) -> Element:
    element = SubElement(parent, tag, {"format": "html" if html else "plain_text", **attrs})
    SubElement(element, "text").text = text_to_html(value) if html else value
    return element


def _number(value: Decimal) -> str:
    return format(Decimal(value).quantize(Decimal("0.0000001")), "f")


def _fraction(value: Decimal) -> str:
    return format(Decimal(value).quantize(Decimal("0.00001")).normalize(), "f")


def dump(questions: list[RawQuestion]) -> bytes:
    """A Moodle XML file for the given questions (choice, true/false, essay)."""
    root = Element("quiz")
    category = None
    for index, question in enumerate(questions, start=1):
        if question.category != category:
            category = question.category
            element = SubElement(root, "question", {"type": "category"})
            holder = SubElement(element, "category")
            SubElement(holder, "text").text = category_to_path(category)
        qtype = question.qtype
        if qtype == "multichoice" and question.scoring == "all_or_nothing":
            qtype = "multichoiceset"
        element = SubElement(root, "question", {"type": qtype})
        name = SubElement(element, "name")
        SubElement(name, "text").text = question.name or f"Frage {index}"
        _add_text(element, "questiontext", question.text)
        _add_text(element, "generalfeedback", question.general_feedback)
        SubElement(element, "defaultgrade").text = _number(question.points or Decimal(1))
        SubElement(element, "penalty").text = "0.0000000"
        SubElement(element, "hidden").text = "0"
        if qtype in ("multichoice", "multichoiceset"):
            SubElement(element, "single").text = "true" if question.single else "false"
            SubElement(element, "shuffleanswers").text = "true" if question.shuffle else "false"
            SubElement(element, "answernumbering").text = "abc"
            for answer in question.answers:
                fraction = answer.fraction
                if qtype == "multichoiceset":
                    fraction = Decimal(1 if fraction > 0 else 0)
                node = _add_text(element, "answer", answer.text, fraction=_fraction(fraction))
                _add_text(node, "feedback", answer.feedback)
        elif qtype == "truefalse":
            for label, is_true in (("true", True), ("false", False)):
                right = question.truth == is_true
                node = SubElement(
                    element,
                    "answer",
                    {"fraction": "100" if right else "0", "format": "moodle_auto_format"},
                )
                SubElement(node, "text").text = label
                _add_text(node, "feedback", "")
        elif qtype == "essay":
            SubElement(element, "responseformat").text = "editor"
            SubElement(element, "responserequired").text = "1"
            SubElement(element, "responsefieldlines").text = "15"
            _add_text(element, "graderinfo", question.model_answer)
            _add_text(element, "responsetemplate", "")
        if question.scoring:
            tags = SubElement(element, "tags")
            SubElement(SubElement(tags, "tag"), "text").text = SCORING_TAG + question.scoring
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode").encode()
