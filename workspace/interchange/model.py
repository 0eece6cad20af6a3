"""The neutral form both file formats read into and write from: Moodle's own vocabulary."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser

from django.utils.translation import gettext_lazy as _

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_QUESTIONS = 500
MAX_ANSWERS = 50  # per question; Moodle's own forms offer far fewer

FILE_TOO_LARGE = _("Die Datei ist zu gross (höchstens 2 MB).")
TOO_MANY_QUESTIONS = _("Die Datei enthält mehr als %(limit)s Fragen. Bitte teilen Sie sie auf.")
NOT_UTF8 = _("Die Datei ist nicht in UTF-8 kodiert. Bitte speichern Sie sie als UTF-8.")
UNKNOWN_FORMAT = _(
    "Das Format ist unbekannt. Erwartet wird eine GIFT-Datei (.txt, .gift) oder Moodle-XML (.xml)."
)
NO_QUESTIONS = _("Die Datei enthält keine Fragen.")
TOO_MANY_ANSWERS = _("Eine Frage hat mehr als %(limit)s Antworten.")
NUL_CHARACTER = _("Die Datei enthält Nullzeichen; sie ist keine Textdatei.")


class MalformedFile(ValueError):
    """The file cannot be read; ``message`` is German and names the line where known."""

    def __init__(self, message, *, line: int | None = None):
        self.line = line
        if line is not None:
            message = _("Zeile %(line)s: %(message)s") % {"line": line, "message": message}
        self.message = str(message)
        super().__init__(self.message)


def check_counts(questions: list, answers: list | None = None, *, line: int | None = None):
    """Refuses a file while it is read, as soon as it has too many questions or a question too
    many answers: a small file of tiny questions cannot make the reader build a huge preview."""
    if len(questions) > MAX_QUESTIONS:
        raise MalformedFile(TOO_MANY_QUESTIONS % {"limit": MAX_QUESTIONS})
    if answers is not None and len(answers) > MAX_ANSWERS:
        raise MalformedFile(TOO_MANY_ANSWERS % {"limit": MAX_ANSWERS}, line=line)


def shown(value, limit: int = 40) -> str:
    """A value from the file as a message quotes it: short, whatever the file holds."""
    text = str(value or "")
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class RawAnswer:
    text: str
    fraction: Decimal  # percent, -100 .. 100 as Moodle writes it
    feedback: str = ""


@dataclass
class RawQuestion:
    """One question as Moodle sees it. Texts are plain text (HTML already converted)."""

    qtype: str
    text: str = ""
    name: str = ""
    category: str = ""
    single: bool = True
    answers: list[RawAnswer] = field(default_factory=list)
    general_feedback: str = ""
    truth: bool = True
    points: Decimal | None = None
    model_answer: str = ""
    shuffle: bool | None = None
    scoring: str = ""  # our multiple-choice scoring mode, when a file of ours says it
    line: int | None = None
    number: int = 0


# --- Text: our question texts are plain; Moodle's are often HTML -------------------------------

_BLOCK_TAGS = {
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "tr",
    "blockquote",
    "pre",
}


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(alt)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data.replace("\n", " "))


def normalize_text(text: str) -> str:
    """Spaces collapsed, lines stripped, at most one blank line between paragraphs."""
    lines = [re.sub(r"[ \t\r\f\v\u00a0]+", " ", line).strip() for line in text.split("\n")]
    joined = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", joined).strip()


def html_to_text(value: str) -> str:
    """Plain text of an HTML fragment: tags dropped (images keep their alt text), paragraphs
    kept as blank lines, entities decoded. Nothing of the markup survives into our blocks."""
    parser = _TextExtractor()
    parser.feed(value or "")
    parser.close()
    return normalize_text("".join(parser.parts))


def text_to_html(text: str) -> str:
    """Paragraphs and line breaks of plain text as escaped HTML."""
    paragraphs = [p for p in normalize_text(text).split("\n\n") if p]
    return "".join(
        "<p>" + "<br>".join(html.escape(line, quote=False) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )


def text_to_inline_html(text: str) -> str:
    """A short text (an answer, a feedback) as escaped HTML without paragraphs."""
    return "<br>".join(html.escape(line, quote=False) for line in normalize_text(text).split("\n"))


def category_from_path(path: str) -> str:
    """``$course$/top/Verwaltung/Recht`` → ``Verwaltung/Recht`` (Moodle's context and top
    levels are not categories of ours)."""
    parts = [p.strip() for p in (path or "").split("/") if p.strip()]
    if parts and parts[0].startswith("$") and parts[0].endswith("$"):
        parts = parts[1:]
    if parts and parts[0] == "top":
        parts = parts[1:]
    return "/".join(parts)


def category_to_path(category: str) -> str:
    category = (category or "").strip("/")
    return "$course$/top" + (f"/{category}" if category else "")
