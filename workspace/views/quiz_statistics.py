"""Quiz statistics of a cohort or of all cohorts the user supervises (workspace.quiz_statistics)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from training.access import (
    SUPERVISE_ALL_PERMISSION,
    cohorts_for,
    supervises_all_cohorts,
)
from training.models import Quiz
from workspace.quiz_statistics import quiz_statistics
from workspace.views.base import (
    CohortView,
    WorkspaceView,
    workspace_url,
)


class QuizStatisticsMixin:
    """Per question of a quiz: answers, facility index and the distribution of answers."""

    page_title = gettext_lazy("Auswertung je Frage")
    template_name = "workspace/quiz_statistics.html"
    header_icon = "tasks"

    @cached_property
    def quiz(self) -> Quiz:
        return get_object_or_404(Quiz, pk=self.kwargs["quiz_id"])

    def statistics(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(quiz=self.quiz, statistics=self.statistics())
        return context


class QuizStatisticsView(QuizStatisticsMixin, CohortView):
    """One cohort's attempts; course leads find a link to all cohorts' figures."""

    def statistics(self):
        return quiz_statistics(quiz=self.quiz, cohort_ids=[self.cohort.pk])

    def get_page_subtitle(self):
        return f"{self.quiz.title} – {self.cohort.name}"

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": "", "label": self.quiz.title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if supervises_all_cohorts(self.request.user):
            context["all_cohorts_url"] = workspace_url("quiz_statistics_all", self.quiz.pk)
        return context


class AllCohortsQuizStatisticsView(QuizStatisticsMixin, WorkspaceView):
    """Every cohort's attempts together: for course leads (they supervise all cohorts)."""

    permission = SUPERVISE_ALL_PERMISSION

    def statistics(self):
        return quiz_statistics(
            quiz=self.quiz, cohort_ids=cohorts_for(self.request.user).values("pk")
        )

    def get_page_subtitle(self):
        return _("%(quiz)s – alle Kursdurchführungen") % {"quiz": self.quiz.title}

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": "", "label": self.quiz.title}]
