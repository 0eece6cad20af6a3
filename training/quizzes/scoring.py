"""Scoring of quiz answers: pure functions over plain values, no database, no request.

A question is described by :class:`Question` (built from the quiz's pinned revision by
``training.quizzes.questions``). A participant's answer arrives as the list of strings the form
posted; :func:`parse_response` validates and normalises it, :func:`score_response` scores it and
:func:`score_sitting` adds up a whole attempt. Everything here runs only on the server.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum

SINGLE_CHOICE = "single_choice"
MULTIPLE_CHOICE = "multiple_choice"
TRUE_FALSE = "true_false"
ESSAY = "essay"
CHOICE_KINDS = frozenset({SINGLE_CHOICE, MULTIPLE_CHOICE, TRUE_FALSE})

TRUE = "true"
FALSE = "false"
ESSAY_MAX_CHARS = 10_000
CENT = Decimal("0.01")


class MultipleChoiceScoring(StrEnum):
    """How a multiple-choice question with several correct answers earns partial credit."""

    ALL_OR_NOTHING = "all_or_nothing"
    """Full points only for exactly the set of correct answers."""
    RIGHT_MINUS_WRONG = "right_minus_wrong"
    """Each correct answer chosen earns its share; each wrong one chosen takes a share away
    (never below zero). Ticking everything therefore earns nothing."""
    PER_OPTION = "per_option"
    """Each answer judged right (correct and ticked, or wrong and left empty) earns its share."""


class InvalidResponse(ValueError):
    """The posted answer does not fit the question. ``code`` names the reason."""

    MISSING = "missing"
    UNKNOWN_OPTION = "unknown_option"
    TOO_MANY = "too_many"
    TOO_LONG = "too_long"

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    points: Decimal
    options: tuple[str, ...] = ()
    correct: frozenset[str] = field(default_factory=frozenset)
    mc_scoring: MultipleChoiceScoring = MultipleChoiceScoring.RIGHT_MINUS_WRONG
    category: str = ""

    @property
    def needs_marking(self) -> bool:
        return self.kind == ESSAY


Response = tuple[str, ...] | str


@dataclass(frozen=True)
class SittingScore:
    score: Decimal
    max_score: Decimal
    pending: tuple[str, ...]  # answered essay questions that still wait for a mark

    @property
    def needs_marking(self) -> bool:
        return bool(self.pending)


def parse_response(question: Question, values: Sequence[str]) -> Response:
    """Validates the posted values for ``question`` and returns the normalised response.

    Choice answers become a sorted tuple of option ids (so their order never matters); an essay
    becomes its stripped text. Raises :class:`InvalidResponse` for anything else.
    """
    if question.kind == ESSAY:
        if len(values) > 1:
            raise InvalidResponse(InvalidResponse.TOO_MANY)
        text = (values[0] if values else "").strip()
        if not text:
            raise InvalidResponse(InvalidResponse.MISSING)
        if len(text) > ESSAY_MAX_CHARS:
            raise InvalidResponse(InvalidResponse.TOO_LONG)
        return text
    chosen = [v for v in values if v != ""]
    if not chosen:
        raise InvalidResponse(InvalidResponse.MISSING)
    if any(v not in question.options for v in chosen):
        raise InvalidResponse(InvalidResponse.UNKNOWN_OPTION)
    unique = tuple(sorted(set(chosen)))
    if question.kind != MULTIPLE_CHOICE and len(unique) != 1:
        raise InvalidResponse(InvalidResponse.TOO_MANY)
    if len(unique) != len(chosen):
        raise InvalidResponse(InvalidResponse.TOO_MANY)
    return unique


def _share(points: Decimal, numerator: int, denominator: int) -> Decimal:
    if denominator <= 0 or numerator <= 0:
        return Decimal(0)
    if numerator >= denominator:
        return points
    return (points * numerator / denominator).quantize(CENT, rounding=ROUND_DOWN)


def score_response(question: Question, response: Response) -> Decimal | None:
    """Points earned by a valid response; ``None`` for an essay (a trainer marks it)."""
    if question.kind == ESSAY:
        return None
    chosen = frozenset(response)
    if question.kind in (SINGLE_CHOICE, TRUE_FALSE):
        return question.points if chosen and chosen <= question.correct else Decimal(0)
    correct = question.correct
    wrong = frozenset(question.options) - correct
    right_chosen = len(chosen & correct)
    wrong_chosen = len(chosen & wrong)
    mode = question.mc_scoring
    if mode == MultipleChoiceScoring.ALL_OR_NOTHING:
        return question.points if chosen == correct else Decimal(0)
    if mode == MultipleChoiceScoring.PER_OPTION:
        judged_right = right_chosen + len(wrong - chosen)
        return _share(question.points, judged_right, len(question.options))
    if not correct:  # a question without a correct answer: right only when nothing is ticked
        return question.points if not chosen else Decimal(0)
    return _share(question.points, right_chosen - wrong_chosen, len(correct))


def score_sitting(
    questions: Iterable[Question],
    responses: Mapping[str, Response],
    marks: Mapping[str, Decimal] | None = None,
) -> SittingScore:
    """Adds up an attempt. Unanswered questions earn nothing; essays count with their mark
    (capped at the question's points) or are pending while they have none."""
    marks = marks or {}
    score = Decimal(0)
    max_score = Decimal(0)
    pending = []
    for question in questions:
        max_score += question.points
        if question.id not in responses:
            continue
        if question.kind == ESSAY:
            mark = marks.get(question.id)
            if mark is None:
                pending.append(question.id)
            else:
                score += min(max(Decimal(mark), Decimal(0)), question.points)
            continue
        score += score_response(question, responses[question.id]) or Decimal(0)
    return SittingScore(score=score, max_score=max_score, pending=tuple(sorted(pending)))


def percent(score, max_score, *, empty: int = 0) -> int:
    """Whole percent, rounded half up (4 of 6 is 67 %, 1 of 8 is 13 %); ``empty`` when
    ``max_score`` is zero. The one rounding rule for every percentage the app shows or exports.
    Passing is decided by :func:`has_passed` on the exact values, never on this rounded figure."""
    if not max_score:
        return empty
    exact = Decimal(score) * 100 / Decimal(max_score)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def has_passed(score: Decimal, max_score: Decimal, pass_mark: int) -> bool:
    """Passed when the score reaches ``pass_mark`` percent of the maximum (exactly, no rounding)."""
    if not max_score:
        return True
    return Decimal(score) * 100 >= Decimal(pass_mark) * Decimal(max_score)


def is_correct(question: Question, response: Response) -> bool | None:
    """Full points? ``None`` for an essay."""
    earned = score_response(question, response)
    return None if earned is None else earned == question.points
