"""A regrade of one question in one quiz revision, and scoring with the regrades that apply.

Kept apart from ``training.models`` (which imports this module at its end) so the regrade can
move with the quiz engine. Writes: ``training.regrade``; scoring: :func:`score_with_regrades`,
which ``training.services`` uses for every attempt it scores (new ones and rescored ones alike).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from training import scoring


class QuestionRegrade(models.Model):
    """The course lead corrected a faulty question of a quiz revision after the fact."""

    class Kind(models.TextChoices):
        FULL_CREDIT = "full_credit", _("Volle Punktzahl für alle")
        ACCEPT_OPTION = "accept_option", _("Zusätzliche Antwort als richtig werten")

    quiz = models.ForeignKey(
        "training.Quiz", on_delete=models.CASCADE, related_name="regrades", verbose_name=_("Quiz")
    )
    quiz_revision = models.ForeignKey(
        "wagtailcore.Revision", on_delete=models.PROTECT, related_name="+"
    )
    question_id = models.CharField(_("Frage"), max_length=64)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    option_id = models.CharField(_("Antwort"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("Zeitpunkt"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Ausgeführt von"),
    )
    sittings_rescored = models.PositiveIntegerField(_("Neu bewertete Versuche"), default=0)

    class Meta:
        verbose_name = _("Neubewertung")
        verbose_name_plural = _("Neubewertungen")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz_revision", "question_id", "kind", "option_id"],
                name="one_regrade_per_question_kind_option",
            )
        ]

    def __str__(self):
        return f"{self.quiz_revision_id}/{self.question_id}: {self.kind} {self.option_id}".strip()


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
