"""Trainer pages in the Wagtail admin: a minimal essay-marking queue on top of
``services.mark_essay`` (the trainer workspace builds the full queue UI later)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from training import services
from training.errors import NotFoundError, TrainingError
from training.models import Sitting
from training.selectors import review_of


class _MarkingPermissionMixin:
    def dispatch(self, request, *args, **kwargs):
        if not services.can_mark_essays(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class MarkingQueueView(_MarkingPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    page_title = _("Freitextantworten bewerten")
    header_icon = "edit"
    template_name = "training/admin/marking_queue.html"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sittings"] = (
            Sitting.objects.filter(complete=True, needs_marking=True)
            .select_related("user", "quiz", "enrollment__cohort")
            .order_by("finished_at", "pk")
        )
        return context


class MarkSittingView(_MarkingPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    page_title = _("Versuch bewerten")
    header_icon = "edit"
    template_name = "training/admin/mark_sitting.html"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("training_marking:queue"), "label": _("Freitextantworten bewerten")},
            {"url": "", "label": self.page_title},
        ]

    def get_sitting(self):
        sitting = (
            Sitting.objects.select_related("user", "quiz", "quiz_revision", "enrollment__cohort")
            .filter(pk=self.kwargs["sitting_id"], complete=True)
            .first()
        )
        if sitting is None:
            raise NotFoundError(_("Diesen abgeschlossenen Versuch gibt es nicht."))
        return sitting

    def get(self, request, *args, **kwargs):
        try:
            self.sitting = self.get_sitting()
        except NotFoundError as exc:
            messages.error(request, exc.message)
            return redirect("training_marking:queue")
        return super().get(request, *args, **kwargs)

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
        try:
            self.sitting = self.get_sitting()
            sitting = services.mark_essay(
                sitting_id=self.sitting.pk,
                block_id=request.POST.get("block_id", ""),
                points=request.POST.get("points", ""),
                feedback=request.POST.get("feedback", ""),
                marked_by=request.user,
            )
        except NotFoundError as exc:
            messages.error(request, exc.message)
            return redirect("training_marking:queue")
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
