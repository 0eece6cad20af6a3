"""The course lead's «Neu bewerten» pages: choose the revision and the kind of regrade, see how
many attempts it affects, confirm. Thin: ``training.quizzes.regrade`` checks and applies."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from training.errors import TrainingError
from training.models import QuestionRegrade, Quiz
from training.quizzes import regrade
from workspace.views.base import WorkspaceView, workspace_url

PATH = "lernkontrollen/<int:quiz_id>/fragen/<str:question_id>/neu-bewerten/"


class RegradeView(WorkspaceView):
    """GET without a choice: the form; GET with revision and kind: the confirmation page with
    the number of affected attempts; POST: applies the regrade. Course leads only (403 with a
    German message for everybody else, before anything is read)."""

    page_title = gettext_lazy("Frage neu bewerten")
    template_name = "workspace/regrade_confirm.html"
    header_icon = "tasks"

    def dispatch(self, request, *args, **kwargs):
        if not regrade.can_regrade(request.user):
            return self._refused(request, regrade.NOT_ALLOWED, 403)
        return super().dispatch(request, *args, **kwargs)

    def _refused(self, request, message, status):
        return TemplateResponse(
            request,
            "workspace/regrade_refused.html",
            {"message": message, "back_url": workspace_url("index")},
            status=status,
        )

    @cached_property
    def quiz(self) -> Quiz:
        return get_object_or_404(Quiz, pk=self.kwargs["quiz_id"])

    def get_page_subtitle(self):
        return self.quiz.title

    def _choice(self, data) -> dict:
        return {
            "revision_id": (data.get("revision") or "")[:20],
            "kind": (data.get("kind") or "")[:20],
            "option_id": (data.get("option") or "")[:64],
        }

    def get(self, request, *args, **kwargs):
        choice = self._choice(request.GET)
        revisions = regrade.revisions_with_question(self.quiz, self.kwargs["question_id"])
        if not choice["revision_id"] and len(revisions) == 1:
            choice["revision_id"] = str(revisions[0].pk)
        context = self.get_context_data(revisions=revisions, choice=choice, plan=None)
        if choice["revision_id"]:
            try:
                revision, questions = regrade.revision_questions(self.quiz, choice["revision_id"])
                question = questions.get(self.kwargs["question_id"])
                if question is None:
                    raise regrade.NotFoundError(regrade.QUESTION_NOT_IN_REVISION)
                context.update(revision=revision, question=question)
                if choice["kind"]:
                    context["plan"] = self._plan(request, choice)
            except TrainingError as exc:
                return self._refused(request, exc.message, exc.status)
        return self.render_to_response(context)

    def _plan(self, request, choice):
        return regrade.plan_regrade(
            actor=request.user,
            quiz_id=self.quiz.pk,
            question_id=self.kwargs["question_id"],
            **choice,
        )

    def post(self, request, *args, **kwargs):
        choice = self._choice(request.POST)
        try:
            result = regrade.regrade_question(
                actor=request.user,
                quiz_id=self.quiz.pk,
                question_id=self.kwargs["question_id"],
                **choice,
            )
        except TrainingError as exc:
            return self._refused(request, exc.message, exc.status)
        from wagtail.admin import messages

        if result.regrade is None:
            messages.info(request, str(regrade.NOTHING_TO_CHANGE))
        else:
            messages.success(
                request,
                _(
                    "Die Frage wurde neu bewertet: %(rescored)s Versuche neu berechnet, "
                    "%(passed)s davon jetzt bestanden."
                )
                % {"rescored": result.rescored, "passed": result.newly_passed},
            )
        return redirect(workspace_url("quiz_statistics_all", self.quiz.pk))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            quiz=self.quiz,
            question_id=self.kwargs["question_id"],
            kinds=QuestionRegrade.Kind,
        )
        return context
