"""Reviewing transfer tasks (*Praxisaufträge*) in the Wagtail admin, on top of
``training.transfer.services``: a queue like essay marking, oldest first, restricted to the
cohorts the user supervises (another cohort's task does not exist for them: 404). Opening a
task and downloading its attachment are written to the audit log; the review itself is audited
by the service."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from audit.models import AuditAction
from audit.services import record_audit
from training.errors import NotFoundError, TrainingError
from training.models import TransferTask
from training.transfer import files, services

QUEUE_TITLE = _("Praxisaufträge beurteilen")


class _ReviewPermissionMixin:
    def dispatch(self, request, *args, **kwargs):
        if not services.can_review(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class _TaskMixin(_ReviewPermissionMixin):
    @cached_property
    def task(self) -> TransferTask:
        task = (
            services.tasks_visible_to(self.request.user)
            .select_related("enrollment__user", "enrollment__cohort", "section")
            .filter(pk=self.kwargs["task_id"])
            .first()
        )
        if task is None:
            raise Http404(services.TASK_NOT_FOUND)
        return task


class TransferQueueView(_ReviewPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    page_title = QUEUE_TITLE
    header_icon = "doc-full"
    template_name = "workspace/transfer_queue.html"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tasks = services.tasks_visible_to(self.request.user).select_related(
            "enrollment__user", "enrollment__cohort", "section"
        )
        context["waiting"] = list(
            tasks.filter(status=TransferTask.Status.SUBMITTED).order_by("submitted_at", "pk")
        )
        context["reviewed"] = list(
            tasks.exclude(status=TransferTask.Status.SUBMITTED).order_by("-reviewed_at", "-pk")[:50]
        )
        return context


class ReviewTransferTaskView(_TaskMixin, WagtailAdminTemplateMixin, TemplateView):
    page_title = _("Praxisauftrag beurteilen")
    header_icon = "doc-full"
    template_name = "workspace/transfer_review.html"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("training_transfer:queue"), "label": QUEUE_TITLE},
            {"url": "", "label": self.page_title},
        ]

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        record_audit(
            actor=request.user,
            action=AuditAction.TRANSFER_TASK_VIEWED,
            target=self.task,
            subject=self.task.enrollment.user,
        )
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            task=self.task,
            error=kwargs.get("error"),
            feedback=kwargs.get("feedback", ""),
            feedback_max=services.FEEDBACK_MAX,
        )
        return context

    def post(self, request, *args, **kwargs):
        task = self.task
        try:
            services.review_transfer_task(
                reviewer=request.user,
                task_id=task.pk,
                decision=request.POST.get("decision", ""),
                feedback=request.POST.get("feedback", ""),
                version=request.POST.get("version"),
            )
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
        except TrainingError as exc:
            del self.task  # read again: the state may have changed
            context = self.get_context_data(
                error=exc.message, feedback=request.POST.get("feedback", "")
            )
            return self.render_to_response(context, status=exc.status)
        messages.success(request, _("Rückmeldung gespeichert."))
        return redirect("training_transfer:queue")


class TransferAttachmentView(_TaskMixin, View):
    def get(self, request, *args, **kwargs):
        task = self.task
        if not task.attachment:
            raise Http404(_("Zu diesem Praxisauftrag gibt es keinen Anhang."))
        record_audit(
            actor=request.user,
            action=AuditAction.TRANSFER_TASK_VIEWED,
            target=task,
            subject=task.enrollment.user,
            details={"attachment": True},
        )
        return files.attachment_response(task)
