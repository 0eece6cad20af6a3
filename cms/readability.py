"""Readability of German course texts: Amstad's reading ease (the German Flesch formula).

    Amstad = 180 − ASL − 58.5 × ASW

ASL is the average sentence length in words, ASW the average number of syllables per word.
Syllables are counted as groups of vowels (a, e, i, o, u, ä, ö, ü, y; "ei", "au", "ie" … are one
group), at least one per word. Sentences end at ".", "!", "?" and at the end of a paragraph or
list item; common abbreviations ("z. B.", "bzw.", "Art. 15", "1. September") do not end one.

0–30 is very hard (academic), 30–50 hard, 50–60 fairly hard, 60–70 standard, above 70 easy.
The course aims at ≥ 50 for a module body: readable between two shifts at the counter.

Pure functions: the content tests (tests/cms/test_readability.py) and the editor's check on
save (cms/wagtail_hooks.py) use the same measure.
"""

import html
import re
from dataclasses import dataclass

MODULE_BODY_MINIMUM = 50.0
# A callout is a short box: judged on its own, with some slack for names and terms.
CALLOUT_MINIMUM = 40.0
LONGEST_SENTENCE_WORDS = 25

_VOWEL_GROUPS = re.compile(r"[aeiouyäöüàéèâêîôû]+", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-zÄÖÜäöüßàéèâêîôûç0-9][\wÄÖÜäöüß'’./-]*")
# Abbreviations whose full stop does not end a sentence (matched case-sensitively, before a
# space). Ordinal numbers ("1. September", "Art. 15") are handled by the digit rule.
_ABBREVIATIONS = [
    "z. B.",
    "z.B.",
    "d. h.",
    "d.h.",
    "u. a.",
    "u.a.",
    "bzw.",
    "usw.",
    "etc.",
    "ca.",
    "vgl.",
    "Art.",
    "Abs.",
    "Nr.",
    "Dr.",
    "Frau M.",
    "Herr K.",
    "Abb.",
    "inkl.",
    "evtl.",
    "ggf.",
    "sog.",
]
_MONTHS = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"
_ORDINAL = re.compile(rf"(\d)\.(?=\s+(?:[a-zäöüß0-9]|(?:{_MONTHS})\b))")
_BLOCK_END = re.compile(r"</(p|li|h[1-6]|dd|dt|td|th)>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"“”»«')\]]*\s+|\n+")


@dataclass(frozen=True)
class Readability:
    words: int
    sentences: int
    syllables: int
    longest_sentence: int
    longest_sentence_text: str

    @property
    def amstad(self) -> float:
        """Amstad's reading ease; 100 for an empty text (nothing to read is not hard)."""
        if not self.words:
            return 100.0
        asl = self.words / self.sentences
        asw = self.syllables / self.words
        return round(180 - asl - 58.5 * asw, 1)


def plain_text(markup: str) -> str:
    """Text of a rich-text fragment, with a line break where a paragraph or list item ends."""
    text = _BLOCK_END.sub("\n", markup or "")
    return html.unescape(_TAG.sub(" ", text))


def syllables(word: str) -> int:
    return max(1, len(_VOWEL_GROUPS.findall(word)))


def words(text: str) -> list[str]:
    return [w.rstrip(".-/'’") for w in _WORD.findall(text)]


def sentences(text: str) -> list[str]:
    protected = text
    for abbreviation in _ABBREVIATIONS:
        protected = protected.replace(abbreviation, abbreviation.replace(".", "\x00"))
    # An ordinal ("1. September", "am 3. Mai", "2. Auflage") is followed by a month, a digit
    # or a lower-case word; "bis Reifegrad 2. Die …" ends a sentence.
    protected = _ORDINAL.sub("\\1\x00", protected)
    parts = _SENTENCE_END.split(protected)
    return [p.replace("\x00", ".").strip() for p in parts if p and words(p)]


def measure(*fragments: str) -> Readability:
    """Readability of one or more rich-text (or plain) fragments taken together."""
    all_sentences = [s for f in fragments for s in sentences(plain_text(f))]
    counts = [(len(words(s)), sum(syllables(w) for w in words(s)), s) for s in all_sentences]
    longest = max(counts, default=(0, 0, ""), key=lambda c: c[0])
    return Readability(
        words=sum(c[0] for c in counts),
        sentences=len(counts),
        syllables=sum(c[1] for c in counts),
        longest_sentence=longest[0],
        longest_sentence_text=longest[2],
    )


# --- Module bodies ------------------------------------------------------------------------------
# Both the content files (dicts with "type" and the file's keys) and StreamField data (the
# block's type and value) come in; readable_parts turns either into (label, text) pairs.

# Headings and titles are left out: they have no sentence end and would flatter the score.
_FILE_TEXT_KEYS = {
    "text": ("html",),
    "callout": ("html",),
    "case_study": ("situation", "task", "solution"),
    "reflection": ("question", "hint"),
}
_STREAM_TEXT_KEYS = {
    "text": None,  # the value is the text
    "callout": ("text",),
    "case_study": ("situation", "task", "solution"),
    "reflection": ("question", "hint"),
}


def _as_text(value) -> str:
    source = getattr(value, "source", None)  # a RichText value
    return str(source if source is not None else value or "")


def readable_parts(blocks) -> list[tuple[str, str]]:
    """(block type, text) for every block that participants read as running text."""
    parts = []
    for block in blocks:
        if isinstance(block, dict):
            kind, keys = block.get("type"), _FILE_TEXT_KEYS.get(block.get("type"))
            if keys:
                text = "\n".join(_as_text(block.get(k)) for k in keys)
                parts.append((kind, text))
            continue
        kind = block.block_type
        if kind not in _STREAM_TEXT_KEYS:
            continue
        keys = _STREAM_TEXT_KEYS[kind]
        if keys is None:
            parts.append((kind, _as_text(block.value)))
        else:
            parts.append((kind, "\n".join(_as_text(block.value.get(k)) for k in keys)))
    return parts


@dataclass(frozen=True)
class BodyReport:
    body: Readability
    weak_callouts: list[tuple[str, float]]  # (start of the callout's text, score)

    @property
    def reads_well(self) -> bool:
        return (
            self.body.amstad >= MODULE_BODY_MINIMUM
            and self.body.longest_sentence <= LONGEST_SENTENCE_WORDS
            and not self.weak_callouts
        )


def body_report(blocks) -> BodyReport:
    parts = readable_parts(blocks)
    weak = []
    for kind, text in parts:
        if kind == "callout":
            score = measure(text).amstad
            if score < CALLOUT_MINIMUM:
                weak.append((plain_text(text).strip()[:60], score))
    return BodyReport(body=measure(*(text for _, text in parts)), weak_callouts=weak)
