"""Reads a quiz's question blocks into plain objects: :class:`scoring.Question` for scoring and
display objects for templates. A question shown before it is answered is a
:class:`QuestionForm` with no correct flags, feedback or explanation at all, so no template can
leak the solution by accident."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from training.quizzes import scoring

TRUE_LABEL = _("Richtig")
FALSE_LABEL = _("Falsch")


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    correct: bool = False
    feedback: str = ""


@dataclass(frozen=True)
class OptionForm:
    id: str
    text: str


@dataclass(frozen=True)
class QuestionForm:
    """What a participant sees before answering: the question and its options, nothing else."""

    id: str
    kind: str
    text: str
    points: Decimal
    options: tuple[OptionForm, ...]
    figure: object = None
    figure_alt: str = ""

    @property
    def multiple(self) -> bool:
        return self.kind == scoring.MULTIPLE_CHOICE

    @property
    def is_essay(self) -> bool:
        return self.kind == scoring.ESSAY


@dataclass(frozen=True)
class QuizQuestion:
    """A question with its solution, from the quiz's pinned revision. Server side only."""

    id: str
    kind: str
    text: str
    category: str
    points: Decimal
    options: tuple[Option, ...] = ()
    explanation: object = ""
    model_answer: object = ""
    mc_scoring: scoring.MultipleChoiceScoring = scoring.MultipleChoiceScoring.RIGHT_MINUS_WRONG
    answer_order: str = "random"
    figure: object = None
    figure_alt: str = ""

    def arranged(self, key) -> tuple[Option, ...]:
        """The options in the order this attempt (``key``, e.g. the sitting's id) shows them:
        as authored, alphabetical, or shuffled once per attempt and then stable."""
        if self.answer_order == "alphabetical":
            return tuple(sorted(self.options, key=lambda o: o.text.casefold()))
        if self.answer_order == "random":
            # Not a secret: the order only has to differ between attempts and stay put within one.
            rng = random.Random(f"{key}:{self.id}")  # noqa: S311
            return tuple(rng.sample(self.options, len(self.options)))
        return self.options

    def form_for(self, key) -> QuestionForm:
        return QuestionForm(
            id=self.id,
            kind=self.kind,
            text=self.text,
            points=self.points,
            options=tuple(OptionForm(id=o.id, text=o.text) for o in self.arranged(key)),
            figure=self.figure,
            figure_alt=self.figure_alt,
        )

    @property
    def for_scoring(self) -> scoring.Question:
        return scoring.Question(
            id=self.id,
            kind=self.kind,
            points=self.points,
            options=tuple(o.id for o in self.options),
            correct=frozenset(o.id for o in self.options if o.correct),
            mc_scoring=self.mc_scoring,
            category=self.category,
        )

    @property
    def is_essay(self) -> bool:
        return self.kind == scoring.ESSAY


def from_block(block) -> QuizQuestion:
    """Builds a :class:`QuizQuestion` from a bound question block of ``Quiz.questions``."""
    value = block.value
    kind = block.block_type
    options: tuple[Option, ...] = ()
    mc_scoring = scoring.MultipleChoiceScoring.RIGHT_MINUS_WRONG
    if kind in (scoring.SINGLE_CHOICE, scoring.MULTIPLE_CHOICE):
        options = tuple(
            Option(
                id=str(child.id),
                text=child.value["text"],
                correct=bool(child.value["correct"]),
                feedback=child.value.get("feedback") or "",
            )
            for child in value["answers"].bound_blocks
        )
        if kind == scoring.MULTIPLE_CHOICE:
            try:
                mc_scoring = scoring.MultipleChoiceScoring(value.get("scoring") or mc_scoring)
            except ValueError:
                mc_scoring = scoring.MultipleChoiceScoring.RIGHT_MINUS_WRONG
    elif kind == scoring.TRUE_FALSE:
        truth = bool(value["correct"])
        options = (
            Option(id=scoring.TRUE, text=str(TRUE_LABEL), correct=truth),
            Option(id=scoring.FALSE, text=str(FALSE_LABEL), correct=not truth),
        )
    return QuizQuestion(
        id=str(block.id),
        kind=kind,
        text=value["text"],
        category=(value.get("category") or "").strip(),
        points=Decimal(value.get("points") or 1),
        options=options,
        explanation=value.get("explanation") or "",
        model_answer=value.get("model_answer") or "",
        mc_scoring=mc_scoring,
        # A block saved before the option existed (or with it left empty) takes the default.
        answer_order=value.get("answer_order") or "random",
        figure=value.get("figure"),
        figure_alt=value.get("figure_alt") or "",
    )


def quiz_questions(quiz) -> dict[str, QuizQuestion]:
    """Every question of ``quiz`` (a Quiz instance, e.g. a revision's object) by block id."""
    return {str(block.id): from_block(block) for block in quiz.questions}
