from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.http import Http404
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, ObjectList, Panel
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets.button import ListingButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from training import admin_views, marking_views, services
from training.interchange import admin as _interchange_admin  # noqa: F401  (registers its hooks)
from training.models import Cohort, OrganisationUnit, Quiz
from training.report_selectors import (
    UNIT_AGGREGATES_PERMISSION,
    VIEW_COHORT_PERMISSION,
    supervises_all_cohorts,
)


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "tasks"
    menu_label = _("Lernkontrollen")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["title", "category", "pass_mark"]
    search_fields = ["title"]


# --- Cohorts: trainers act on the cohorts they train, course leads on all -------------------


class CohortPermissionPolicy(ModelPermissionPolicy):
    """Model permissions as usual, narrowed to the cohorts a trainer trains unless the user
    supervises all cohorts (group *Kursleitung*)."""

    def _supervises(self, user, instance) -> bool:
        return supervises_all_cohorts(user) or instance.trainers.filter(pk=user.pk).exists()

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and self._supervises(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions) and self._supervises(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return Cohort.objects.none()
        if supervises_all_cohorts(user):
            return Cohort.objects.all()
        return Cohort.objects.filter(trainers=user)


register_permission_policy(Cohort, CohortPermissionPolicy(Cohort))


class ScopedCohortMixin:
    """Another trainer's cohort does not exist for this user (404), in every snippet view."""

    def get_object(self, *args, **kwargs):
        cohort = super().get_object(*args, **kwargs)
        user = self.request.user
        if not (supervises_all_cohorts(user) or cohort.trainers.filter(pk=user.pk).exists()):
            raise Http404
        return cohort


class CohortIndexView(snippet_views.IndexView):
    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        buttons += [
            ListingButton(
                _("Bericht"),
                url=admin_views.workspace_url("report", instance.pk),
                icon_name="table",
                priority=5,
            ),
            ListingButton(
                _("Teilnehmende"),
                url=admin_views.workspace_url("participants", instance.pk),
                icon_name="user",
                priority=6,
            ),
        ]
        return buttons


class CohortForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer staff of the admin as trainers, not the (possibly thousands of) participants.
        self.fields["trainers"].queryset = (
            get_user_model()
            .objects.filter(
                Q(groups__name__in=["Trainer:innen", "Kursleitung"])
                | Q(is_superuser=True)
                | Q(pk__in=self.instance.trainers.values("pk") if self.instance.pk else [])
            )
            .distinct()
            .order_by("last_name", "first_name")
        )


class ParticipantsPanel(Panel):
    """The cohort's participants in the edit form: how many, and where to manage them."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "training/admin/panels/cohort_participants.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            cohort = self.instance
            if cohort.pk:
                counts = cohort.enrollments.aggregate(
                    active=Count("pk", filter=Q(unenrolled_at__isnull=True)),
                    unenrolled=Count("pk", filter=Q(unenrolled_at__isnull=False)),
                )
                context.update(
                    counts=counts,
                    participants_url=admin_views.workspace_url("participants", cohort.pk),
                    import_url=admin_views.workspace_url("import", cohort.pk),
                    report_url=admin_views.workspace_url("report", cohort.pk),
                )
            context["cohort"] = cohort
            return context


class CohortViewSet(SnippetViewSet):
    model = Cohort
    icon = "group"
    menu_label = _("Kursdurchführungen")
    menu_order = 220
    add_to_admin_menu = True
    list_display = [
        "name",
        "organisation",
        "starts_on",
        "ends_on",
        Column("participant_count", label=_("Teilnehmende"), sort_key="participant_count"),
    ]
    search_fields = ["name", "organisation"]
    index_view_class = CohortIndexView
    edit_view_class = type("CohortEditView", (ScopedCohortMixin, snippet_views.EditView), {})
    delete_view_class = type("CohortDeleteView", (ScopedCohortMixin, snippet_views.DeleteView), {})
    copy_view_class = type("CohortCopyView", (ScopedCohortMixin, snippet_views.CopyView), {})
    usage_view_class = type("CohortUsageView", (ScopedCohortMixin, snippet_views.UsageView), {})
    history_view_class = type(
        "CohortHistoryView", (ScopedCohortMixin, snippet_views.HistoryView), {}
    )
    inspect_view_class = type(
        "CohortInspectView", (ScopedCohortMixin, snippet_views.InspectView), {}
    )
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("organisation"),
            FieldPanel("course"),
            FieldPanel("trainers", widget=forms.CheckboxSelectMultiple),
            FieldPanel("starts_on"),
            FieldPanel("ends_on"),
            ParticipantsPanel(heading=_("Teilnehmende")),
        ],
        base_form_class=CohortForm,
    )

    def get_queryset(self, request):
        user = request.user
        cohorts = Cohort.objects.all()
        if not supervises_all_cohorts(user):
            cohorts = cohorts.filter(trainers=user)
        return cohorts.annotate(
            participant_count=Count(
                "enrollments", filter=Q(enrollments__unenrolled_at__isnull=True)
            )
        )


class OrganisationUnitViewSet(SnippetViewSet):
    """Course leads keep the units and name their *Dienststellenleitung*."""

    model = OrganisationUnit
    icon = "site"
    menu_label = _("Organisationseinheiten")
    menu_order = 230
    add_to_admin_menu = True
    list_display = ["name", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name", "organisation"]


register_snippet(QuizViewSet)
register_snippet(CohortViewSet)
register_snippet(OrganisationUnitViewSet)


# --- Trainer workspace pages ----------------------------------------------------------------


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@hooks.register("register_admin_menu_item")
def register_workspace_menu_item():
    return PermissionMenuItem(
        _("Lernstand"),
        reverse("training_workspace:index"),
        icon_name="table",
        order=215,
        permission=VIEW_COHORT_PERMISSION,
        name="lernstand",
    )


@hooks.register("register_admin_menu_item")
def register_unit_overview_menu_item():
    return PermissionMenuItem(
        _("Übersicht Organisationseinheiten"),
        reverse("training_workspace:units"),
        icon_name="site",
        order=240,
        permission=UNIT_AGGREGATES_PERMISSION,
        name="dienststellen",
    )


def _workspace_urls():
    v = admin_views
    cohort = "<int:cohort_id>/"
    person = cohort + "teilnehmende/<int:enrollment_id>/"
    return [
        path("", v.IndexView.as_view(), name="index"),
        path(cohort, v.CohortReportView.as_view(), name="report"),
        path(
            cohort + "export/bericht.<slug:fmt>", v.ReportExportView.as_view(), name="report_export"
        ),
        path(cohort + "teilnehmende/", v.ParticipantsView.as_view(), name="participants"),
        path(cohort + "teilnehmende/einschreiben/", v.EnrollView.as_view(), name="enroll"),
        path(
            cohort + "teilnehmende/export.<slug:fmt>",
            v.ParticipantsExportView.as_view(),
            name="participants_export",
        ),
        path(person, v.ParticipantDetailView.as_view(), name="participant"),
        path(person + "austragen/", v.UnenrollView.as_view(), name="unenroll"),
        path(person + "einladung/", v.ResendInvitationView.as_view(), name="resend_invitation"),
        path(person + "versuche/<int:sitting_id>/", v.SittingDetailView.as_view(), name="sitting"),
        path(
            cohort + "lernkontrollen/<int:quiz_id>/",
            v.QuizStatisticsView.as_view(),
            name="quiz_statistics",
        ),
        path(
            "lernkontrollen/<int:quiz_id>/",
            v.AllCohortsQuizStatisticsView.as_view(),
            name="quiz_statistics_all",
        ),
        path(cohort + "import/", v.ImportView.as_view(), name="import"),
        path("auftraege/<int:job_id>/", v.JobView.as_view(), name="job"),
        path("auftraege/<int:job_id>/ausfuehren/", v.JobConfirmView.as_view(), name="job_confirm"),
        path("auftraege/<int:job_id>/datei/", v.JobDownloadView.as_view(), name="job_download"),
        path("organisationseinheiten/", v.UnitOverviewView.as_view(), name="units"),
    ]


@hooks.register("register_admin_urls")
def register_workspace_urls():
    return [
        path(
            "lernstand/",
            include((_workspace_urls(), admin_views.NAMESPACE), namespace=admin_views.NAMESPACE),
        )
    ]


marking_urls = (
    [
        path("", marking_views.MarkingQueueView.as_view(), name="queue"),
        path("<int:sitting_id>/", marking_views.MarkSittingView.as_view(), name="sitting"),
    ],
    "training_marking",
)


@hooks.register("register_admin_urls")
def register_marking_urls():
    return [path("bewertung/", include(marking_urls))]


class MarkingMenuItem(MenuItem):
    def is_shown(self, request):
        return services.can_mark_essays(request.user)


@hooks.register("register_admin_menu_item")
def register_marking_menu_item():
    return MarkingMenuItem(
        _("Freitexte bewerten"), reverse("training_marking:queue"), icon_name="edit", order=230
    )
