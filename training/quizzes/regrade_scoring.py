"""Scoring with the regrades that apply to an attempt's revision (``QuestionRegrade``, in
training.quizzes.models). ``training.quizzes.services.settle`` scores every attempt with
:func:`score_with_regrades` (new ones and rescored ones alike); the regrade itself is written by
``training.quizzes.regrade``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from decimal import Decimal

from training.quizzes import scoring
from training.quizzes.models import QuestionRegrade


def regrades_of(revision_id) -> dict[str, list[QuestionRegrade]]:
    """The regrades of a revision by question id (one query)."""
    found: dict[str, list[QuestionRegrade]] = {}
    for regrade in QuestionRegrade.objects.filter(quiz_revision_id=revision_id):
        found.setdefault(regrade.question_id, []).append(regrade)
    return found


def regraded_points(question: scoring.Question, response, regrades) -> Decimal:
    """Points for ``response`` (``None`` when unanswered) with the question's regrades applied.

    Full credit gives the question's points to every attempt it was drawn in; an accepted
    option counts as correct. A regrade never takes points away: the result is at least what
    the original scoring gave."""
    original = Decimal(0) if response is None else scoring.score_response(question, response)
    if any(r.kind == QuestionRegrade.Kind.FULL_CREDIT for r in regrades):
        return question.points
    accepted = frozenset(
        r.option_id for r in regrades if r.kind == QuestionRegrade.Kind.ACCEPT_OPTION
    )
    if response is None or not accepted:
        return original
    widened = dataclasses.replace(question, correct=question.correct | accepted)
    return max(original, scoring.score_response(widened, response))


def score_with_regrades(
    sitting,
    questions: Sequence[scoring.Question],
    responses: Mapping[str, object],
    marks: Mapping[str, Decimal],
    regrades: Mapping[str, list] | None = None,
) -> scoring.SittingScore:
    """``scoring.score_sitting`` plus the regrades of the attempt's revision."""
    result = scoring.score_sitting(questions, responses, marks)
    if regrades is None:
        regrades = regrades_of(sitting.quiz_revision_id)
    bonus = Decimal(0)
    for question in questions:
        if question.id not in regrades or question.kind == scoring.ESSAY:
            continue
        response = responses.get(question.id)
        original = Decimal(0) if response is None else scoring.score_response(question, response)
        bonus += regraded_points(question, response, regrades[question.id]) - original
    if not bonus:
        return result
    return dataclasses.replace(result, score=result.score + bonus)
