"""Trainer pages in the Wagtail admin: cohort report, participants, quiz statistics, import,
exports, jobs and the aggregates for unit leads. Views parse input, call one selector or service
and render.

Every cohort, enrollment, sitting and job is looked up within what the user may see (see
``report_selectors.cohorts_for``), so foreign ids end in 404 and change nothing. Opening a
participant's record or attempt and every export is written to the audit log.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from audit.models import AuditAction
from audit.services import record_audit
from training import exports, imports, workspace_services
from training.models import Enrollment, OrganisationUnit, Quiz, WorkspaceJob
from training.report_selectors import (
    CHANGE_COHORT_PERMISSION,
    SUPERVISE_ALL_PERMISSION,
    UNIT_AGGREGATES_PERMISSION,
    VIEW_COHORT_PERMISSION,
    CellStatus,
    cohort_quizzes,
    cohort_report,
    cohorts_for,
    count_participants,
    course_columns,
    jobs_for,
    min_group_size,
    participant_list,
    participant_record,
    quiz_statistics,
    sitting_answers,
    sittings_of,
    sort_options,
    status_cells,
    supervises_all_cohorts,
    unit_aggregates,
)
from training.reports import distribution_chart

PER_PAGE = 50
NAMESPACE = "training_workspace"


def workspace_url(name: str, *args) -> str:
    return reverse(f"{NAMESPACE}:{name}", args=args)


# --- Access ---------------------------------------------------------------------------------


def forbidden(request):
    """A plain 403 (Wagtail would redirect to the dashboard, hiding what happened)."""
    return TemplateResponse(request, "training/admin/forbidden.html", status=403)


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


# --- Overview -------------------------------------------------------------------------------


class IndexView(WorkspaceView):
    page_title = gettext_lazy("Lernstand")
    template_name = "training/admin/index.html"

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


# --- Cohort report --------------------------------------------------------------------------


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


def _unit_choices(cohort):
    return list(
        OrganisationUnit.objects.filter(enrollments__cohort=cohort)
        .distinct()
        .order_by("name")
        .values_list("pk", "name")
    )


class CohortReportView(CohortView):
    page_title = gettext_lazy("Bericht")
    template_name = "training/admin/cohort_report.html"
    header_icon = "table"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sections = course_columns(self.cohort.course)
        form = ReportFilterForm(
            self.request.GET or None, sections=sections, units=_unit_choices(self.cohort)
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
            chart=distribution_chart(report.distribution),
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
        columns += [(f"module-{m.id}", str(m.number), m.title) for m in report.visible_modules]
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
            _audit_export(request, self.cohort, self.kind, fmt, _job_params(filters))
            return _csv_response(table)
        raise Http404

    def post(self, request, *args, **kwargs):
        if kwargs["fmt"] != "xlsx":
            raise Http404
        filters = self._filters(request.POST)
        if count_participants(cohort=self.cohort) <= workspace_services.INLINE_MAX_ROWS:
            table = exports.report_table(cohort=self.cohort, **filters)
            _audit_export(request, self.cohort, self.kind, "xlsx", _job_params(filters))
            return _xlsx_response(table)
        # The job writes its own audit entry when it is created.
        job = workspace_services.start_export(
            cohort=self.cohort, kind=self.kind, params=_job_params(filters), actor=request.user
        )
        return redirect(workspace_url("job", job.pk))

    def _filters(self, data):
        sections = course_columns(self.cohort.course)
        form = ReportFilterForm(data, sections=sections, units=_unit_choices(self.cohort))
        filters = form.filters()
        filters.pop("sort", None)
        return {"section_id": None, "status": None, "unit_id": None, **filters}


def _job_params(filters: dict) -> dict:
    """The report filters as an export job (and the audit log) stores them."""
    return {
        "section": filters["section_id"],
        "status": filters["status"],
        "unit": filters["unit_id"],
    }


def _audit_export(request, cohort, kind: str, fmt: str, filters: dict | None = None) -> None:
    workspace_services.record_export(
        cohort=cohort, kind=kind, fmt=fmt, params=filters or {}, actor=request.user
    )


def _csv_response(table):
    response = StreamingHttpResponse(
        exports.stream_csv(table), content_type=exports.CSV_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{table.filename}.csv"'
    return response


def _xlsx_response(table):
    return FileResponse(
        exports.xlsx_tempfile(table),
        as_attachment=True,
        filename=f"{table.filename}.xlsx",
        content_type=exports.XLSX_CONTENT_TYPE,
    )


# --- Participants ---------------------------------------------------------------------------


class EnrollForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-Mail"), max_length=254)
    first_name = forms.CharField(label=gettext_lazy("Vorname"), max_length=150, required=False)
    last_name = forms.CharField(label=gettext_lazy("Nachname"), max_length=150, required=False)
    unit = forms.CharField(
        label=gettext_lazy("Organisationseinheit"), max_length=200, required=False
    )


class ParticipantsView(CohortView):
    page_title = gettext_lazy("Teilnehmende")
    template_name = "training/admin/participants.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        search = self.request.GET.get("q", "").strip()[:100]
        rows = participant_list(cohort=self.cohort, search=search)
        paginator = WagtailPaginator([r for r in rows if not r.unenrolled_at], PER_PAGE * 2)
        paginator.verbose_name = _("Teilnehmende:r")
        paginator.verbose_name_plural = _("Teilnehmende")
        page = paginator.get_page(self.request.GET.get("p"))
        context.update(
            search=search,
            active=page,
            page_obj=page,
            elided_page_range=paginator.get_elided_page_range(page.number),
            unenrolled=[r for r in rows if r.unenrolled_at],
            enroll_form=kwargs.get("enroll_form") or EnrollForm(),
            units=[name for _pk, name in _unit_choices(self.cohort)],
        )
        return context


class EnrollView(ParticipantsView):
    change = True

    def post(self, request, *args, **kwargs):
        form = EnrollForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                workspace_services.enroll_participant(
                    cohort=self.cohort,
                    email=data["email"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    unit_name=data["unit"],
                    actor=request.user,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                # The same answer whether the address had an account, and whether it is in
                # another cohort (then the Kursleitung sees the conflict in the audit log):
                # only what the trainer typed is repeated.
                typed_name = f"{data['first_name']} {data['last_name']}".strip()
                messages.success(
                    request,
                    _("%(name)s ist eingeschrieben oder eingeladen.")
                    % {"name": typed_name or data["email"]},
                )
                return redirect(workspace_url("participants", self.cohort.pk))
        return self.render_to_response(self.get_context_data(enroll_form=form), status=400)

    def get(self, request, *args, **kwargs):
        return redirect(workspace_url("participants", self.cohort.pk))


class UnenrollView(EnrollmentMixin, CohortView):
    change = True
    page_title = gettext_lazy("Austragen")
    template_name = "training/admin/unenroll_confirm.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["enrollment"] = self.get_enrollment()
        return context

    def post(self, request, *args, **kwargs):
        enrollment = self.get_enrollment()
        try:
            workspace_services.unenroll_participant(enrollment=enrollment, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(name)s ist ausgetragen; der bisherige Lernstand bleibt erhalten.")
                % {"name": enrollment.user.get_full_name() or enrollment.user.email},
            )
        return redirect(workspace_url("participants", self.cohort.pk))


@method_decorator(require_POST, name="dispatch")
class ResendInvitationView(EnrollmentMixin, CohortView):
    change = True

    def post(self, request, *args, **kwargs):
        enrollment = self.get_enrollment()
        try:
            workspace_services.resend_invitation(enrollment=enrollment, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Eine neue Einladung an %(email)s ist unterwegs.")
                % {"email": enrollment.user.email},
            )
        return redirect(
            get_valid_next_url_from_request(request)
            or workspace_url("participants", self.cohort.pk)
        )


class ParticipantDetailView(EnrollmentMixin, CohortView):
    page_title = gettext_lazy("Teilnehmende:r")
    template_name = "training/admin/participant_detail.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        record_audit(
            actor=request.user,
            action=AuditAction.PARTICIPANT_VIEWED,
            target=self.enrollment,
            details={"cohort": self.cohort.pk},
        )
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["record"] = participant_record(enrollment=self.enrollment)
        return context

    def get_page_subtitle(self):
        return self.get_enrollment().user.get_full_name()


class SittingDetailView(EnrollmentMixin, CohortView):
    page_title = gettext_lazy("Versuch")
    template_name = "training/admin/sitting_detail.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        record_audit(
            actor=request.user,
            action=AuditAction.SITTING_VIEWED,
            target=self.sitting,
            details={"cohort": self.cohort.pk},
        )
        return response

    @cached_property
    def sitting(self):
        module_ids = [m.id for s in course_columns(self.cohort.course) for m in s.modules]
        return get_object_or_404(
            sittings_of(self.get_enrollment(), module_ids).select_related("quiz", "quiz_revision"),
            pk=self.kwargs["sitting_id"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sitting = self.sitting
        context.update(
            enrollment=self.get_enrollment(), sitting=sitting, answers=sitting_answers(sitting)
        )
        return context


class ParticipantsExportView(CohortView):
    def get(self, request, *args, **kwargs):
        if kwargs["fmt"] != "csv":
            raise Http404
        table = exports.participants_table(cohort=self.cohort)
        _audit_export(request, self.cohort, WorkspaceJob.Kind.PARTICIPANTS_EXPORT, "csv")
        return _csv_response(table)

    def post(self, request, *args, **kwargs):
        if kwargs["fmt"] != "xlsx":
            raise Http404
        total = count_participants(cohort=self.cohort, include_unenrolled=True)
        if total <= workspace_services.INLINE_MAX_ROWS:
            table = exports.participants_table(cohort=self.cohort)
            _audit_export(request, self.cohort, WorkspaceJob.Kind.PARTICIPANTS_EXPORT, "xlsx")
            return _xlsx_response(table)
        job = workspace_services.start_export(
            cohort=self.cohort,
            kind=WorkspaceJob.Kind.PARTICIPANTS_EXPORT,
            params={},
            actor=request.user,
        )
        return redirect(workspace_url("job", job.pk))


# --- Quiz statistics ------------------------------------------------------------------------


class QuizStatisticsMixin:
    """Per question of a quiz: answers, facility index and the distribution of answers."""

    page_title = gettext_lazy("Auswertung je Frage")
    template_name = "training/admin/quiz_statistics.html"
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


# --- Import ---------------------------------------------------------------------------------


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
    template_name = "training/admin/import.html"

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


# --- Jobs -----------------------------------------------------------------------------------


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
    template_name = "training/admin/job.html"
    # Seconds between reloads while a job waits or runs (no JavaScript needed).
    refresh_seconds = 2

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.get_job()
        done, total = workspace_services.job_progress(job)
        context.update(
            job=job,
            cohort=job.cohort,
            done=done,
            total=total,
            percent=done * 100 // total if total else 0,
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


# --- Unit leads -----------------------------------------------------------------------------


class UnitOverviewView(WorkspaceView):
    permission = UNIT_AGGREGATES_PERMISSION
    page_title = gettext_lazy("Übersicht Organisationseinheiten")
    template_name = "training/admin/units.html"
    header_icon = "site"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["aggregates"] = unit_aggregates(self.request.user)
        context["min_group_size"] = min_group_size()
        return context
