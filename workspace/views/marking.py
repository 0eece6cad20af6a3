"""Essay marking in the Wagtail admin, on top of ``training.quizzes.marking.mark_essay``.

A trainer marks the attempts of participants in the cohorts they train (course leads: all
cohorts), as ``training.quizzes.selectors.sittings_visible_to`` says: another cohort's attempt
does not exist for them (404) and nothing is changed. Opening an attempt to mark it is written
to the audit log; the mark itself is audited by the service.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from audit.models import AuditAction
from audit.services import record_audit
from training.errors import NotFoundError, TrainingError
from training.models import Sitting
from training.quizzes import marking
from training.quizzes.selectors import review_of, sittings_visible_to


class _MarkingPermissionMixin:
    def dispatch(self, request, *args, **kwargs):
        if not marking.can_mark_essays(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


UNKNOWN_FILTER = _("Diese Auswahl gibt es in der Liste nicht. Bitte wählen Sie neu.")


class QueueFilterForm(forms.Form):
    """Narrows the queue to one quiz and/or one person, offered from the waiting attempts only
    (so nothing outside the user's cohorts is named). An id not offered is refused (400)."""

    quiz = forms.TypedChoiceField(
        label=_("Lernkontrolle"), required=False, coerce=int, empty_value=None
    )
    person = forms.TypedChoiceField(
        label=_("Teilnehmer:in"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, data, *, waiting):
        super().__init__(data)
        quizzes, people = {}, {}
        for sitting in waiting:
            quizzes[sitting.quiz_id] = sitting.quiz.title
            people[sitting.user_id] = sitting.user.get_full_name() or sitting.user.get_username()
        everything = [("", _("alle"))]
        self.fields["quiz"].choices = everything + sorted(quizzes.items(), key=lambda c: c[1])
        self.fields["person"].choices = everything + sorted(
            people.items(), key=lambda c: c[1].casefold()
        )
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = UNKNOWN_FILTER


class MarkingQueueView(_MarkingPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    page_title = _("Freitextantworten bewerten")
    header_icon = "edit"
    template_name = "workspace/marking_queue.html"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Oldest first: whoever has waited longest for their result is marked first.
        waiting = list(
            sittings_visible_to(self.request.user)
            .filter(complete=True, needs_marking=True)
            .select_related("user", "quiz", "enrollment__cohort")
            .defer("quiz__questions")
            .order_by("finished_at", "pk")
        )
        form = QueueFilterForm(self.request.GET or None, waiting=waiting)
        sittings = waiting
        if form.is_bound and form.is_valid():
            quiz_id, user_id = form.cleaned_data["quiz"], form.cleaned_data["person"]
            sittings = [
                s
                for s in waiting
                if (quiz_id is None or s.quiz_id == quiz_id)
                and (user_id is None or s.user_id == user_id)
            ]
        context.update(filter_form=form, sittings=sittings, waiting_count=len(waiting))
        return context

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        form = context["filter_form"]
        status = 400 if form.is_bound and not form.is_valid() else 200
        return self.render_to_response(context, status=status)


class MarkSittingView(_MarkingPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    page_title = _("Versuch bewerten")
    header_icon = "edit"
    template_name = "workspace/mark_sitting.html"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("training_marking:queue"), "label": _("Freitextantworten bewerten")},
            {"url": "", "label": self.page_title},
        ]

    @cached_property
    def sitting(self) -> Sitting:
        """The finished attempt, among those of the user's cohorts (404 for any other id)."""
        sitting = (
            sittings_visible_to(self.request.user)
            .select_related("user", "quiz", "quiz_revision", "enrollment__cohort")
            .filter(pk=self.kwargs["sitting_id"], complete=True)
            .first()
        )
        if sitting is None:
            raise Http404(_("Diesen abgeschlossenen Versuch gibt es nicht."))
        return sitting

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        record_audit(actor=request.user, action=AuditAction.SITTING_VIEWED, target=self.sitting)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sitting = self.sitting
        context["sitting"] = sitting
        context["essays"] = [
            item for item in review_of(sitting) if item.question.is_essay and item.answer
        ]
        context["marks"] = sitting.essay_marks.select_related("marked_by")
        context["error"] = kwargs.get("error")
        return context

    def post(self, request, *args, **kwargs):
        sitting = self.sitting
        try:
            sitting = marking.mark_essay(
                sitting_id=sitting.pk,
                block_id=request.POST.get("block_id", ""),
                points=request.POST.get("points", ""),
                feedback=request.POST.get("feedback", ""),
                marked_by=request.user,
            )
        except NotFoundError as exc:  # deleted since the page was loaded
            raise Http404(exc.message) from exc
        except TrainingError as exc:
            context = self.get_context_data(error=exc.message)
            return self.render_to_response(context, status=exc.status)
        if sitting.needs_marking:
            messages.success(request, _("Bewertung gespeichert."))
            return redirect("training_marking:sitting", sitting_id=sitting.pk)
        messages.success(
            request,
            _("Bewertung gespeichert. Der Versuch ist vollständig bewertet: %(result)s.")
            % {"result": _("bestanden") if sitting.passed else _("nicht bestanden")},
        )
        return redirect("training_marking:queue")
