"""The participant import (upload, preview, confirm) and the pages of import and export jobs."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from training.access import (
    CHANGE_COHORT_PERMISSION,
    cohorts_for,
)
from training.quizzes import scoring
from workspace import exports, imports, jobs
from workspace import services as workspace_services
from workspace.models import WorkspaceJob
from workspace.views.base import (
    CohortView,
    WorkspaceView,
    workspace_url,
)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Datei (CSV oder XLSX)"),
        help_text=gettext_lazy(
            "Erste Zeile: Vorname, Nachname, E-Mail, Organisationseinheit, Kursdurchführung. "
            "Ist die Kursdurchführung leer, gilt diese hier."
        ),
    )


class ImportView(CohortView):
    change = True
    page_title = gettext_lazy("Teilnehmende importieren")
    template_name = "workspace/import.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or ImportForm()
        return context

    def post(self, request, *args, **kwargs):
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = workspace_services.start_import(
                    cohort=self.cohort, upload=form.cleaned_data["file"], actor=request.user
                )
            except imports.ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                return redirect(workspace_url("job", job.pk))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class JobMixin:
    """Jobs are personal: only their creator reaches them (and only while they still may see
    the cohort)."""

    def get_job(self) -> WorkspaceJob:
        return self.job

    @cached_property
    def job(self) -> WorkspaceJob:
        return get_object_or_404(
            WorkspaceJob.objects.select_related("cohort"),
            pk=self.kwargs["job_id"],
            created_by=self.request.user,
            cohort__in=cohorts_for(self.request.user),
        )


class JobView(JobMixin, WorkspaceView):
    page_title = gettext_lazy("Auftrag")
    template_name = "workspace/job.html"
    # Seconds between reloads while a job waits or runs (no JavaScript needed).
    refresh_seconds = 2

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.get_job()
        done, total = jobs.job_progress(job)
        context.update(
            job=job,
            cohort=job.cohort,
            done=done,
            total=total,
            percent=scoring.percent(done, total),
            refresh_seconds=self.refresh_seconds if job.is_active else None,
        )
        if job.kind == WorkspaceJob.Kind.IMPORT:
            preview = imports.preview_from_json(job.result)
            context["preview"] = preview
            context["rows"] = [
                {
                    "row": row,
                    "problems": [imports.row_message(p) for p in row.problems],
                    "notes": [imports.row_message(n) for n in row.notes],
                }
                # Rows with problems first, so they are found in a long file.
                for row in sorted(preview.rows, key=lambda r: (not r.problems, r.line))
            ]
            context["summary"] = job.result.get("summary")
        return context

    def get_breadcrumbs_items(self):
        job = self.get_job()
        return [
            *super().get_breadcrumbs_items(),
            {"url": workspace_url("report", job.cohort_id), "label": job.cohort.name},
            {"url": "", "label": job.get_kind_display()},
        ]


@method_decorator(require_POST, name="dispatch")
class JobConfirmView(JobMixin, WorkspaceView):
    permission = CHANGE_COHORT_PERMISSION

    def post(self, request, *args, **kwargs):
        job = self.get_job()
        try:
            job = workspace_services.confirm_import(job=job, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(workspace_url("job", job.pk))


class JobDownloadView(JobMixin, WorkspaceView):
    def get(self, request, *args, **kwargs):
        job = self.get_job()
        if job.status != WorkspaceJob.Status.DONE or not job.result_file:
            raise Http404
        return FileResponse(
            job.result_file.open("rb"),
            as_attachment=True,
            filename=job.result.get("filename") or "export.xlsx",
            content_type=exports.XLSX_CONTENT_TYPE,
        )
