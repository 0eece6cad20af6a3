"""The cohort report and its export (workspace.report.cohort_report)."""

from __future__ import annotations

from django import forms
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.paginator import WagtailPaginator

from workspace import exports
from workspace import services as workspace_services
from workspace.jobs import jobs_for
from workspace.models import WorkspaceJob
from workspace.quiz_statistics import cohort_quizzes
from workspace.report import cohort_report, count_participants, sort_options
from workspace.rows import CellStatus, course_columns, status_cells
from workspace.views.base import (
    PER_PAGE,
    CohortView,
    audit_export,
    csv_response,
    job_params,
    unit_choices,
    workspace_url,
    xlsx_response,
)


class ReportFilterForm(forms.Form):
    section = forms.TypedChoiceField(
        label=gettext_lazy("Lernbereich"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(label=gettext_lazy("Modulstatus"), required=False)
    unit = forms.TypedChoiceField(
        label=gettext_lazy("Organisationseinheit"), required=False, coerce=int, empty_value=None
    )
    sort = forms.ChoiceField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, sections, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [("", _("Alle"))] + [(s.id, s.title) for s in sections]
        self.fields["status"].choices = [("", _("Alle"))] + list(CellStatus.choices)
        self.fields["unit"].choices = [("", _("Alle"))] + [(pk, name) for pk, name in units]
        self.fields["sort"].choices = [("", "")] + [(o, o) for o in sort_options(sections)]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "section_id": data.get("section"),
            "status": data.get("status") or None,
            "unit_id": data.get("unit"),
            "sort": data.get("sort") or "name",
        }


class CohortReportView(CohortView):
    page_title = gettext_lazy("Bericht")
    template_name = "workspace/cohort_report.html"
    header_icon = "table"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sections = course_columns(self.cohort.course)
        form = ReportFilterForm(
            self.request.GET or None, sections=sections, units=unit_choices(self.cohort)
        )
        filters = form.filters()
        report = cohort_report(cohort=self.cohort, sections=sections, **filters)
        paginator = WagtailPaginator(report.rows, PER_PAGE)
        paginator.verbose_name = _("Teilnehmende:r")
        paginator.verbose_name_plural = _("Teilnehmende")
        page = paginator.get_page(self.request.GET.get("p"))
        sort = filters.get("sort", "name")
        context.update(
            report=report,
            form=form,
            page_obj=page,
            elided_page_range=paginator.get_elided_page_range(page.number),
            columns=self._columns(report, sort),
            chart=report.chart,
            statuses=list(status_cells().values()),
            export_query=self.request.GET.urlencode(),
            jobs=jobs_for(self.request.user, self.cohort)[:5],
            quizzes=cohort_quizzes(cohort=self.cohort, sections=sections),
        )
        return context

    def _columns(self, report, sort):
        """Sortable column headings: label, link that sorts (or reverses), aria-sort."""
        query = self.request.GET.copy()
        query.pop("p", None)
        columns = [
            ("name", _("Name"), ""),
            ("unit", _("Organisationseinheit"), ""),
            ("progress", _("Gesamt"), ""),
        ]
        columns += [(f"section-{s.id}", s.title, "section") for s in report.visible_sections]
        columns += [(f"module-{m.id}", m.short_title, m.title) for m in report.visible_modules]
        columns += [
            ("activity", _("Letzte Aktivität"), ""),
            ("certificate", _("Zertifikat"), ""),
        ]
        result = []
        for key, label, title in columns:
            current = sort.removeprefix("-") == key
            descending = sort.startswith("-")
            query["sort"] = f"-{key}" if current and not descending else key
            result.append(
                {
                    "key": key,
                    "label": label,
                    "title": title if title != "section" else "",
                    "is_module": key.startswith("module-"),
                    "is_section": title == "section",
                    "url": "?" + query.urlencode(),
                    "aria_sort": ("descending" if descending else "ascending") if current else None,
                }
            )
        return result


class ReportExportView(CohortView):
    """CSV streams at once; XLSX of a small cohort comes at once, of a large one from a job."""

    kind = WorkspaceJob.Kind.REPORT_EXPORT

    def get(self, request, *args, **kwargs):
        fmt = kwargs["fmt"]
        filters = self._filters(request.GET)
        if fmt == "csv":
            table = exports.report_table(cohort=self.cohort, **filters)
            audit_export(request, self.cohort, self.kind, fmt, job_params(filters))
            return csv_response(table)
        raise Http404

    def post(self, request, *args, **kwargs):
        if kwargs["fmt"] != "xlsx":
            raise Http404
        filters = self._filters(request.POST)
        if count_participants(cohort=self.cohort) <= workspace_services.INLINE_MAX_ROWS:
            table = exports.report_table(cohort=self.cohort, **filters)
            audit_export(request, self.cohort, self.kind, "xlsx", job_params(filters))
            return xlsx_response(table)
        # The job writes its own audit entry when it is created.
        job = workspace_services.start_export(
            cohort=self.cohort, kind=self.kind, params=job_params(filters), actor=request.user
        )
        return redirect(workspace_url("job", job.pk))

    def _filters(self, data):
        sections = course_columns(self.cohort.course)
        form = ReportFilterForm(data, sections=sections, units=unit_choices(self.cohort))
        filters = form.filters()
        filters.pop("sort", None)
        return {"section_id": None, "status": None, "unit_id": None, **filters}
