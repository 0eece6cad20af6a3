"""Maps Moodle's question types to our question blocks and back.

Import refuses what our blocks cannot hold faithfully, with a German reason; nothing is bent
into a question that would score differently than in Moodle.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from workspace.interchange.model import RawAnswer, RawQuestion, html_to_text, shown, text_to_html

ALL_OR_NOTHING = "all_or_nothing"
RIGHT_MINUS_WRONG = "right_minus_wrong"
PER_OPTION = "per_option"
SCORING_MODES = (ALL_OR_NOTHING, RIGHT_MINUS_WRONG, PER_OPTION)
TOLERANCE = Decimal("0.01")
ANSWER_MAX = 500
CATEGORY_MAX = 100

KIND_LABELS = {
    "single_choice": _("Einfachauswahl"),
    "multiple_choice": _("Mehrfachauswahl"),
    "true_false": _("Richtig/Falsch"),
    "essay": _("Freitext"),
}
UNSUPPORTED = {
    "shortanswer": _(
        "Kurzantwort-Fragen werden nicht unterstützt: frei eingegebene Wörter werden bei uns "
        "nicht automatisch bewertet. Als Freitext-Frage neu anlegen oder in eine Auswahlfrage "
        "umwandeln."
    ),
    "numerical": _("Numerische Fragen werden nicht unterstützt."),
    "matching": _("Zuordnungsfragen werden nicht unterstützt."),
    "randomsamatch": _("Zufällige Zuordnungsfragen werden nicht unterstützt."),
    "multianswer": _("Lückentext-Fragen (Cloze) werden nicht unterstützt."),
    "cloze": _("Lückentext-Fragen (Cloze) werden nicht unterstützt."),
    "ddwtos": _("Drag-and-drop-Lückentexte werden nicht unterstützt."),
    "gapselect": _("Lückentexte mit Auswahlmenüs werden nicht unterstützt."),
    "description": _("Eine Beschreibung ohne Antworten ist keine Frage und wird nicht übernommen."),
    "random": _("Zufallsfragen verweisen auf eine Fragensammlung und werden nicht übernommen."),
}
UNSUPPORTED_TYPE = _("Der Fragetyp «%(qtype)s» wird nicht unterstützt.")
EMPTY_TEXT = _("Der Fragetext ist leer.")
TOO_FEW_ANSWERS = _("Eine Auswahlfrage braucht mindestens zwei Antworten.")
EMPTY_ANSWER_TEXT = _("Eine Antwort hat keinen Text.")
ANSWER_TOO_LONG = _("Eine Antwort ist länger als 500 Zeichen.")
CATEGORY_TOO_LONG = _("Der Kategoriename ist länger als 100 Zeichen.")
NO_CORRECT_ANSWER = _("Keine Antwort ist als richtig (mit positivem Prozentwert) markiert.")
MAX_POINTS = 1000
BAD_POINTS = _("Die Punktzahl %(points)s ist keine ganze Zahl von 1 bis %(limit)s.")
SINGLE_SEVERAL_RIGHT = _(
    "Mehrere Antworten sind zu 100 Prozent richtig. Eine Einfachauswahl hat genau eine "
    "richtige Antwort; als Mehrfachauswahl mit Prozentwerten exportieren."
)
SINGLE_PARTIAL = _(
    "Teilpunkte für einzelne Antworten (%(weights)s) sind bei einer Einfachauswahl nicht "
    "möglich: genau eine Antwort gibt alle Punkte, die anderen keine."
)
SINGLE_NEGATIVE = _(
    "Abzüge für falsche Antworten (negative Prozente) sind bei einer Einfachauswahl nicht möglich."
)
MULTI_UNEQUAL = _(
    "Die richtigen Antworten sind ungleich gewichtet (%(weights)s). Unsere Mehrfachauswahl "
    "gibt jeder richtigen Antwort denselben Anteil: je %(share)s %%."
)
MULTI_NO_PENALTY = _(
    "Falsche Antworten geben keinen Abzug: Wer alles ankreuzt, bekäme in Moodle volle Punkte. "
    "Unsere Teilpunkte ziehen jede falsche Auswahl ab; geben Sie den falschen Antworten je "
    "-%(share)s %%."
)
MULTI_PENALTY = _(
    "Die Abzüge für falsche Antworten (%(weights)s) lassen sich nicht abbilden. Möglich ist je "
    "-%(share)s %% (jede falsche Auswahl hebt eine richtige auf, nie unter 0 Punkte)."
)
TRUE_FALSE_FEEDBACK_DROPPED = _(
    "Die Rückmeldungen zu «Richtig» und «Falsch» werden nicht übernommen; die allgemeine "
    "Rückmeldung wird zur Erklärung."
)
SCORING_HINT_IGNORED = _(
    "Die Bewertungsart «%(mode)s» aus der Datei ist unbekannt; es gilt «Teilpunkte: jede "
    "richtige Auswahl zählt, jede falsche wird abgezogen»."
)


class Refused(Exception):
    def __init__(self, reason):
        super().__init__(str(reason))
        self.reason = str(reason)


@dataclass
class PreviewItem:
    """One question of an upload as the preview lists it: a block to save, or a reason."""

    number: int
    name: str
    text: str
    qtype: str
    line: int | None
    block: dict | None = None
    reason: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def importable(self) -> bool:
        return self.block is not None

    @property
    def kind_label(self) -> str:
        if self.block is not None:
            return str(KIND_LABELS[self.block["type"]])
        return self.qtype


def _percent(value: Decimal) -> str:
    text = format(Decimal(value).quantize(Decimal("0.01")).normalize(), "f")
    return f"{text} %"


def _points(raw: RawQuestion, default: int) -> int:
    if raw.points is None:
        return default
    points = raw.points
    # bounds first: int() of a number like 1E+999999 from a file would take minutes
    if not 1 <= points <= MAX_POINTS or points != points.to_integral_value():
        written = points.normalize()
        written = format(written, "f") if abs(written.adjusted()) < 12 else str(written)
        raise Refused(BAD_POINTS % {"points": shown(written), "limit": MAX_POINTS})
    return int(points)


def _close(a: Decimal, b: Decimal) -> bool:
    return abs(Decimal(a) - Decimal(b)) <= TOLERANCE


def _base(raw: RawQuestion, default_points: int) -> dict:
    if not raw.text.strip():
        raise Refused(EMPTY_TEXT)
    if len(raw.category) > CATEGORY_MAX:
        raise Refused(CATEGORY_TOO_LONG)
    return {
        "text": raw.text,
        "category": raw.category,
        "explanation": text_to_html(raw.general_feedback),
        "points": _points(raw, default_points),
        "figure": None,
        "figure_alt": "",
    }


def _answers(raw: RawQuestion, correct) -> list[dict]:
    if len(raw.answers) < 2:
        raise Refused(TOO_FEW_ANSWERS)
    items = []
    for answer in raw.answers:
        if not answer.text.strip():
            raise Refused(EMPTY_ANSWER_TEXT)
        if len(answer.text) > ANSWER_MAX:
            raise Refused(ANSWER_TOO_LONG)
        items.append(
            {
                "type": "item",
                "id": str(uuid.uuid4()),
                "value": {
                    "text": answer.text,
                    "correct": bool(correct(answer)),
                    "feedback": answer.feedback,
                },
            }
        )
    return items


def _choice(raw: RawQuestion, notes: list[str]) -> dict:
    if len(raw.answers) < 2:
        raise Refused(TOO_FEW_ANSWERS)
    positive = [a for a in raw.answers if a.fraction > 0]
    negative = [a for a in raw.answers if a.fraction < 0]
    if not positive:
        raise Refused(NO_CORRECT_ANSWER)
    order = "random" if raw.shuffle else "authored"
    scoring = raw.scoring
    if raw.qtype == "multichoiceset":
        scoring = ALL_OR_NOTHING
    if raw.single and scoring != ALL_OR_NOTHING:
        full = [a for a in positive if _close(a.fraction, 100)]
        if len(full) > 1:
            raise Refused(SINGLE_SEVERAL_RIGHT)
        partial = [a for a in positive if not _close(a.fraction, 100)]
        if partial or not full:
            weights = ", ".join(_percent(a.fraction) for a in partial or positive)
            raise Refused(SINGLE_PARTIAL % {"weights": weights})
        if negative:
            raise Refused(SINGLE_NEGATIVE)
        value = _base(raw, 1)
        value["answers"] = _answers(raw, lambda a: a is full[0])
        value["answer_order"] = order
        return {"type": "single_choice", "value": value}
    if scoring and scoring not in SCORING_MODES:
        notes.append(str(SCORING_HINT_IGNORED % {"mode": scoring}))
        scoring = ""
    if scoring != ALL_OR_NOTHING:
        share = Decimal(100) / len(positive)
        shown = _percent(share).removesuffix(" %")
        if not all(_close(a.fraction, share) for a in positive):
            weights = ", ".join(_percent(a.fraction) for a in positive)
            raise Refused(MULTI_UNEQUAL % {"weights": weights, "share": shown})
        wrong = [a for a in raw.answers if a.fraction <= 0]
        if wrong and not negative:
            raise Refused(MULTI_NO_PENALTY % {"share": shown})
        if not all(_close(a.fraction, -share) for a in wrong):
            weights = ", ".join(_percent(a.fraction) for a in wrong)
            raise Refused(MULTI_PENALTY % {"weights": weights, "share": shown})
    value = _base(raw, 2)
    value["answers"] = _answers(raw, lambda a: a.fraction > 0)
    value["answer_order"] = order
    value["scoring"] = scoring or RIGHT_MINUS_WRONG
    return {"type": "multiple_choice", "value": value}


def to_block(raw: RawQuestion) -> PreviewItem:
    """The block a raw question becomes, or the reason it cannot."""
    item = PreviewItem(
        number=raw.number, name=raw.name, text=raw.text, qtype=raw.qtype, line=raw.line
    )
    try:
        if raw.qtype in ("multichoice", "multichoiceset"):
            block = _choice(raw, item.notes)
        elif raw.qtype == "truefalse":
            if any(a.feedback for a in raw.answers):
                item.notes.append(str(TRUE_FALSE_FEEDBACK_DROPPED))
            value = _base(raw, 1)
            value["correct"] = raw.truth
            block = {"type": "true_false", "value": value}
        elif raw.qtype == "essay":
            value = _base(raw, 4)
            value["model_answer"] = text_to_html(raw.model_answer)
            block = {"type": "essay", "value": value}
        else:
            reason = UNSUPPORTED.get(raw.qtype) or UNSUPPORTED_TYPE % {"qtype": raw.qtype}
            raise Refused(reason)
    except Refused as refused:
        item.reason = refused.reason
        return item
    block["id"] = str(uuid.uuid4())
    item.block = block
    return item


# --- Export: a quiz revision's blocks as raw questions ----------------------------------------


def _rich_text(value) -> str:
    source = getattr(value, "source", value) or ""
    return html_to_text(str(source))


def from_block(block, number: int) -> RawQuestion:
    """A bound question block of ``Quiz.questions`` as a raw question."""
    kind = block.block_type
    value = block.value
    raw = RawQuestion(
        qtype="",
        text=value["text"],
        category=(value.get("category") or "").strip(),
        general_feedback=_rich_text(value.get("explanation")),
        points=Decimal(value.get("points") or 1),
        number=number,
    )
    if kind in ("single_choice", "multiple_choice"):
        raw.qtype = "multichoice"
        raw.shuffle = (value.get("answer_order") or "authored") == "random"
        answers = list(value["answers"])
        if kind == "single_choice":
            raw.single = True
            raw.answers = [
                RawAnswer(a["text"], Decimal(100 if a["correct"] else 0), a.get("feedback") or "")
                for a in answers
            ]
        else:
            raw.single = False
            mode = value.get("scoring") or RIGHT_MINUS_WRONG
            raw.scoring = "" if mode == RIGHT_MINUS_WRONG else mode
            correct = sum(1 for a in answers if a["correct"]) or 1
            share = (Decimal(100) / correct).quantize(Decimal("0.00001"))
            raw.answers = [
                RawAnswer(a["text"], share if a["correct"] else -share, a.get("feedback") or "")
                for a in answers
            ]
    elif kind == "true_false":
        raw.qtype = "truefalse"
        raw.truth = bool(value["correct"])
    elif kind == "essay":
        raw.qtype = "essay"
        raw.model_answer = _rich_text(value.get("model_answer"))
    else:  # a block type added later: skipped rather than exported wrongly
        raw.qtype = kind
    return raw


def quiz_to_raw(quiz) -> list[RawQuestion]:
    """Every exportable question of ``quiz`` (an instance, e.g. a revision's object)."""
    raws = [from_block(block, n) for n, block in enumerate(quiz.questions, start=1)]
    return [r for r in raws if r.qtype in ("multichoice", "truefalse", "essay")]
