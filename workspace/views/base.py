"""The trainer workspace's pages in the Wagtail admin (URLs in workspace.urls): what every page
shares. Views parse input, call one selector or service and render.

Every cohort, enrollment, sitting and job is looked up within what the user may see
(``training.access.cohorts_for``), so foreign ids end in 404 and change nothing. Opening a
participant's record or attempt and every export is written to the audit log.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from training.access import (
    CHANGE_COHORT_PERMISSION,
    VIEW_COHORT_PERMISSION,
    cohorts_for,
)
from training.models import Enrollment, OrganisationUnit
from workspace import exports
from workspace import services as workspace_services

PER_PAGE = 50
NAMESPACE = "training_workspace"


def workspace_url(name: str, *args) -> str:
    return reverse(f"{NAMESPACE}:{name}", args=args)


def forbidden(request):
    """A plain 403 (Wagtail would redirect to the dashboard, hiding what happened)."""
    return TemplateResponse(request, "workspace/forbidden.html", status=403)


class WorkspaceView(WagtailAdminTemplateMixin, TemplateView):
    """A trainer page: needs the right to view cohorts (trainers and course leads have it)."""

    permission = VIEW_COHORT_PERMISSION
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": workspace_url("index"), "label": _("Lernstand")}]


class CohortView(WorkspaceView):
    """A page about one cohort the user supervises; with ``change`` also one they may change."""

    change = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(VIEW_COHORT_PERMISSION):
            return forbidden(request)
        self.cohort = get_object_or_404(
            cohorts_for(request.user).select_related("course"), pk=kwargs["cohort_id"]
        )
        if self.change and not request.user.has_perm(CHANGE_COHORT_PERMISSION):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def can_change(self) -> bool:
        return self.request.user.has_perm(CHANGE_COHORT_PERMISSION)

    def get_page_subtitle(self):
        return self.cohort.name

    def get_breadcrumbs_items(self):
        return [
            *super().get_breadcrumbs_items(),
            {"url": workspace_url("report", self.cohort.pk), "label": self.cohort.name},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cohort"] = self.cohort
        context["can_change"] = self.can_change
        return context


class EnrollmentMixin:
    """Resolves ``enrollment_id`` within the cohort (404 for anybody else's participant)."""

    def get_enrollment(self) -> Enrollment:
        return self.enrollment

    @cached_property
    def enrollment(self) -> Enrollment:
        return get_object_or_404(
            Enrollment.objects.select_related("user", "organisation_unit", "course"),
            pk=self.kwargs["enrollment_id"],
            cohort=self.cohort,
        )


def unit_choices(cohort):
    return list(
        OrganisationUnit.objects.filter(enrollments__cohort=cohort)
        .distinct()
        .order_by("name")
        .values_list("pk", "name")
    )


def job_params(filters: dict) -> dict:
    """The report filters as an export job (and the audit log) stores them."""
    return {
        "section": filters["section_id"],
        "status": filters["status"],
        "unit": filters["unit_id"],
    }


def audit_export(request, cohort, kind: str, fmt: str, filters: dict | None = None) -> None:
    workspace_services.record_export(
        cohort=cohort, kind=kind, fmt=fmt, params=filters or {}, actor=request.user
    )


def csv_response(table):
    response = StreamingHttpResponse(
        exports.stream_csv(table), content_type=exports.CSV_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{table.filename}.csv"'
    return response


def xlsx_response(table):
    return FileResponse(
        exports.xlsx_tempfile(table),
        as_attachment=True,
        filename=f"{table.filename}.xlsx",
        content_type=exports.XLSX_CONTENT_TYPE,
    )


# --- Overview ---


class IndexView(WorkspaceView):
    page_title = gettext_lazy("Lernstand")
    template_name = "workspace/index.html"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": _("Lernstand")}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cohorts"] = (
            cohorts_for(self.request.user)
            .select_related("course")
            .annotate(
                active=Count("enrollments", filter=Q(enrollments__unenrolled_at__isnull=True)),
                completed=Count(
                    "enrollments",
                    filter=Q(
                        enrollments__unenrolled_at__isnull=True,
                        enrollments__completed_at__isnull=False,
                    ),
                ),
            )
            .order_by("-starts_on", "name")
        )
        return context
