"""A cohort's participants: the list, enrolling and unenrolling, invitations, one participant's
record and attempt, and the participant list export."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.utils import get_valid_next_url_from_request

from audit.models import AuditAction
from audit.services import record_audit
from training import services as training_services
from training.quizzes.selectors import sittings_of
from workspace import exports
from workspace import services as workspace_services
from workspace.models import WorkspaceJob
from workspace.participants import participant_list, participant_record, sitting_answers
from workspace.report import count_participants
from workspace.rows import course_columns
from workspace.views.base import (
    PER_PAGE,
    CohortView,
    EnrollmentMixin,
    audit_export,
    csv_response,
    unit_choices,
    workspace_url,
    xlsx_response,
)


class EnrollForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-Mail"), max_length=254)
    first_name = forms.CharField(label=gettext_lazy("Vorname"), max_length=150, required=False)
    last_name = forms.CharField(label=gettext_lazy("Nachname"), max_length=150, required=False)
    unit = forms.CharField(
        label=gettext_lazy("Organisationseinheit"), max_length=200, required=False
    )


class ParticipantsView(CohortView):
    page_title = gettext_lazy("Teilnehmende")
    template_name = "workspace/participants.html"

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
            units=[name for _pk, name in unit_choices(self.cohort)],
        )
        return context


class EnrollView(ParticipantsView):
    change = True

    def post(self, request, *args, **kwargs):
        form = EnrollForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                training_services.enroll_participant(
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
    template_name = "workspace/unenroll_confirm.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["enrollment"] = self.get_enrollment()
        return context

    def post(self, request, *args, **kwargs):
        enrollment = self.get_enrollment()
        try:
            training_services.unenroll_participant(enrollment=enrollment, actor=request.user)
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
            training_services.resend_invitation(enrollment=enrollment, actor=request.user)
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
    template_name = "workspace/participant_detail.html"

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
    template_name = "workspace/sitting_detail.html"

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
        audit_export(request, self.cohort, WorkspaceJob.Kind.PARTICIPANTS_EXPORT, "csv")
        return csv_response(table)

    def post(self, request, *args, **kwargs):
        if kwargs["fmt"] != "xlsx":
            raise Http404
        total = count_participants(cohort=self.cohort, include_unenrolled=True)
        if total <= workspace_services.INLINE_MAX_ROWS:
            table = exports.participants_table(cohort=self.cohort)
            audit_export(request, self.cohort, WorkspaceJob.Kind.PARTICIPANTS_EXPORT, "xlsx")
            return xlsx_response(table)
        job = workspace_services.start_export(
            cohort=self.cohort,
            kind=WorkspaceJob.Kind.PARTICIPANTS_EXPORT,
            params={},
            actor=request.user,
        )
        return redirect(workspace_url("job", job.pk))
