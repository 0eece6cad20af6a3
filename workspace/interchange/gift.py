"""GIFT, Moodle's text format for questions: reading into and writing from RawQuestion.

Reading follows Moodle's ``qformat_gift``: questions are separated by blank lines, ``//``
starts a comment line, ``$CATEGORY:`` sets the category of the questions after it, and
``\\~ \\= \\# \\{ \\} \\: \\\\ \\n`` are escapes. A comment ``// bsa:points=2;scoring=…`` carries
what GIFT cannot (points, our scoring mode); Moodle ignores it as a comment.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from workspace.interchange.model import (
    MAX_ANSWERS,
    TOO_MANY_ANSWERS,
    MalformedFile,
    RawAnswer,
    RawQuestion,
    category_from_path,
    category_to_path,
    check_counts,
    html_to_text,
    normalize_text,
    text_to_html,
    text_to_inline_html,
)

UNCLOSED_TITLE = _("Der Fragetitel ist nicht mit «::» abgeschlossen.")
UNCLOSED_BRACE = _("Die geschweifte Klammer «{» wird nicht geschlossen.")
STRAY_CLOSING_BRACE = _("Eine schliessende Klammer «}» steht ohne öffnende Klammer.")
NESTED_BRACE = _("Innerhalb der Antworten steht eine weitere «{». Maskieren Sie sie als «\\{».")
TWO_ANSWER_BLOCKS = _("Die Frage hat mehr als einen Antwortblock in geschweiften Klammern.")
EMPTY_ANSWER = _("Eine Antwort ist leer.")
BAD_WEIGHT = _("Die Gewichtung «%(weight)s» ist keine Zahl zwischen -100 und 100.")
UNKNOWN_ANSWER_SYNTAX = _(
    "Die Antworten beginnen nicht mit «=» oder «~» und sind auch nicht T/F, leer oder numerisch."
)

_ESCAPES = {
    "\\": "\ue000",
    "~": "\ue001",
    "=": "\ue002",
    "#": "\ue003",
    "{": "\ue004",
    "}": "\ue005",
    ":": "\ue006",
    "n": "\ue007",
}
_RESTORE = {v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()}
_HINT = re.compile(r"^//\s*bsa:(?P<hints>.*)$")
_FORMAT = re.compile(r"^\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"^\s*%(?P<w>[^%]*)%")
_ANSWER = re.compile(r"[~=][^~=]*")  # one answer: its marker up to the next marker
_TRUE_FALSE = re.compile(r"^(?P<v>T|TRUE|F|FALSE)(?P<fb>#.*)?$", re.DOTALL)


def _protect(text: str) -> str:
    out = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in _ESCAPES:
            out.append(_ESCAPES[text[i + 1]])
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _restore(text: str) -> str:
    return "".join(_RESTORE.get(char, char) for char in text)


def _hints(text: str) -> dict[str, str]:
    pairs = (item.split("=", 1) for item in text.split(";") if "=" in item)
    return {key.strip(): value.strip() for key, value in pairs}


def parse(text: str) -> list[RawQuestion]:
    """Every question of a GIFT file, in order. Raises :class:`MalformedFile` (with the line)."""
    questions: list[RawQuestion] = []
    category = ""
    pending_hints: dict[str, str] = {}
    block: list[str] = []
    start = 0
    block_hints: dict[str, str] = {}

    def flush():
        nonlocal category
        if not block:
            return
        joined = "\n".join(block)
        if joined.strip().startswith("$CATEGORY:"):
            category = category_from_path(joined.strip()[len("$CATEGORY:") :].strip())
        else:
            question = _parse_question(joined, start, block_hints)
            question.category = category
            question.number = len(questions) + 1
            questions.append(question)
            check_counts(questions)
        block.clear()

    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if stripped.startswith("//"):
            match = _HINT.match(stripped)
            if match:
                pending_hints = _hints(match["hints"])
            continue
        if not stripped:
            flush()
            continue
        if not block:
            start = number
            block_hints = pending_hints
            pending_hints = {}
        block.append(line)
    flush()
    return questions


def _parse_question(source: str, start: int, hints: dict[str, str]) -> RawQuestion:
    text = _protect(source)

    def line_of(offset: int) -> int:
        return start + text[:offset].count("\n")

    offset = len(text) - len(text.lstrip())
    name = ""
    if text.startswith("::", offset):
        end = text.find("::", offset + 2)
        if end < 0:
            raise MalformedFile(UNCLOSED_TITLE, line=line_of(offset))
        name = text[offset + 2 : end]
        offset = end + 2
    rest_start = offset + len(text[offset:]) - len(text[offset:].lstrip())
    fmt = "moodle"
    match = _FORMAT.match(text[rest_start:])
    if match:
        fmt = match.group(1).lower()
        rest_start += match.end()
    opening = text.find("{", rest_start)
    closing_anywhere = text.find("}", rest_start)
    question = RawQuestion(qtype="description", name="", line=start)
    convert = html_to_text if fmt == "html" else (lambda v: normalize_text(v))

    def clean(value: str) -> str:
        return convert(_restore(value))

    if opening < 0:
        if closing_anywhere >= 0:
            raise MalformedFile(STRAY_CLOSING_BRACE, line=line_of(closing_anywhere))
        question.text = clean(text[rest_start:])
        question.name = clean(name)
        return question
    if 0 <= closing_anywhere < opening:
        raise MalformedFile(STRAY_CLOSING_BRACE, line=line_of(closing_anywhere))
    closing = text.find("}", opening)
    if closing < 0:
        raise MalformedFile(UNCLOSED_BRACE, line=line_of(opening))
    nested = text.find("{", opening + 1, closing)
    if nested >= 0:
        raise MalformedFile(NESTED_BRACE, line=line_of(nested))
    after = text[closing + 1 :]
    for char in "{}":
        if char in after:
            raise MalformedFile(TWO_ANSWER_BLOCKS, line=line_of(closing + 1 + after.index(char)))
    before = text[rest_start:opening]
    body = before if not after.strip() else f"{before} _____ {after}"
    question.text = clean(body)
    question.name = clean(name)
    question.points = _decimal_hint(hints.get("points"))
    question.scoring = hints.get("scoring", "")
    if "shuffle" in hints:
        question.shuffle = hints["shuffle"] == "1"
    answers_text = text[opening + 1 : closing]
    general = ""
    if "####" in answers_text:
        answers_text, general = answers_text.split("####", 1)
    question.general_feedback = clean(general)
    answers = answers_text.strip()
    answers_line = line_of(opening)
    if not answers:
        question.qtype = "essay"
        return question
    if answers.startswith("#"):
        question.qtype = "numerical"
        return question
    truth = _TRUE_FALSE.match(answers)
    if truth:
        question.qtype = "truefalse"
        question.truth = truth["v"] in ("T", "TRUE")
        feedback = (truth["fb"] or "").split("#")[1:]
        wrong_fb = clean(feedback[0]) if feedback else ""
        right_fb = clean(feedback[1]) if len(feedback) > 1 else ""
        true_fb, false_fb = (right_fb, wrong_fb) if question.truth else (wrong_fb, right_fb)
        question.answers = [
            RawAnswer("true", Decimal(100 if question.truth else 0), true_fb),
            RawAnswer("false", Decimal(0 if question.truth else 100), false_fb),
        ]
        return question
    if answers[0] not in "=~":
        raise MalformedFile(UNKNOWN_ANSWER_SYNTAX, line=answers_line)
    if "->" in answers and answers.startswith("="):
        question.qtype = "matching"
        return question
    if "~" not in answers:
        question.qtype = "shortanswer"
        return question
    question.qtype = "multichoice"
    weighted = False
    for found in _ANSWER.finditer(answers):
        if len(question.answers) >= MAX_ANSWERS:
            raise MalformedFile(TOO_MANY_ANSWERS % {"limit": MAX_ANSWERS}, line=answers_line)
        token = found.group().strip()
        marker, body = token[0], token[1:]
        fraction = Decimal(100 if marker == "=" else 0)
        weight = _WEIGHT.match(body)
        if weight:
            try:
                fraction = Decimal(weight["w"].strip())
            except InvalidOperation:
                fraction = None
            if fraction is None or not fraction.is_finite() or abs(fraction) > 100:
                raise MalformedFile(BAD_WEIGHT % {"weight": weight["w"]}, line=answers_line)
            body = body[weight.end() :]
            default = Decimal(100 if marker == "=" else 0)
            weighted = weighted or fraction != default
        answer_text, _sep, feedback = body.partition("#")
        if not answer_text.strip():
            raise MalformedFile(EMPTY_ANSWER, line=answers_line)
        question.answers.append(RawAnswer(clean(answer_text), fraction, clean(feedback)))
    question.single = not weighted
    return question


def _decimal_hint(value: str | None) -> Decimal | None:
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


# --- Writing ----------------------------------------------------------------------------------


def _escape(text: str) -> str:
    out = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        out = out.replace(char, "\\" + char)
    return out.replace("\r", "").replace("\n", "\\n")


def _html(text: str) -> str:
    return _escape(text_to_html(text))


def format_fraction(value: Decimal) -> str:
    value = Decimal(value).quantize(Decimal("0.00001"))
    text = format(value.normalize(), "f")
    return text


def _inline(text: str) -> str:
    return _escape(text_to_inline_html(text))


def dump(questions: list[RawQuestion]) -> str:
    """A GIFT file for the given questions (choice, true/false, essay)."""
    out: list[str] = []
    category = None
    for index, question in enumerate(questions, start=1):
        if question.category != category:
            category = question.category
            out.append(f"$CATEGORY: {category_to_path(category)}\n")
        hints = []
        if question.points is not None:
            hints.append(f"points={format_fraction(question.points)}")
        if question.scoring:
            hints.append(f"scoring={question.scoring}")
        if question.shuffle is not None:
            hints.append(f"shuffle={int(question.shuffle)}")
        lines = []
        if hints:
            lines.append("// bsa:" + ";".join(hints))
        name = _escape(question.name or f"Frage {index}")
        head = f"::{name}::[html]{_html(question.text)}"
        general = f"####{_html(question.general_feedback)}" if question.general_feedback else ""
        if question.qtype == "essay":
            lines.append(f"{head}{{{general}}}")
        elif question.qtype == "truefalse":
            lines.append(f"{head}{{{'TRUE' if question.truth else 'FALSE'}{general}}}")
        else:
            lines.append(head + "{")
            for answer in question.answers:
                if question.single:
                    marker = "=" if answer.fraction == 100 else "~"
                    if answer.text.startswith("%"):  # would read as a weight
                        marker += "%100%" if answer.fraction == 100 else "%0%"
                else:
                    marker = f"~%{format_fraction(answer.fraction)}%"
                feedback = f"#{_inline(answer.feedback)}" if answer.feedback else ""
                lines.append(f"\t{marker}{_inline(answer.text)}{feedback}")
            if general:
                lines.append(f"\t{general}")
            lines.append("}")
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)
