"""The trainer workspace in the Wagtail admin: its menu items and URLs, the cohort and
organisation-unit snippets (scoped to the cohorts a user supervises), and the marking queue."""

import functools

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.http import Http404
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from wagtail import hooks
from wagtail.admin.auth import require_admin_access
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, ObjectList, Panel
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.admin.widgets.button import ListingButton
from wagtail.models import ModelLogEntry
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import chooser as snippet_chooser
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from training.access import (
    UNIT_AGGREGATES_PERMISSION,
    VIEW_COHORT_PERMISSION,
    cohorts_for,
)
from training.models import Cohort, OrganisationUnit
from training.quizzes.marking import can_mark_essays
from training.transfer.services import can_review
from workspace.urls import marking_urls, transfer_urls, workspace_urls
from workspace.views.base import NAMESPACE, workspace_url

# --- Cohorts: trainers act on the cohorts they train, course leads on all -------------------


class ScopedCohortMixin:
    """Another trainer's cohort does not exist for this user (404), in every snippet view."""

    def get_object(self, *args, **kwargs):
        cohort = super().get_object(*args, **kwargs)
        if not cohorts_for(self.request.user).filter(pk=cohort.pk).exists():
            raise Http404
        return cohort


# The chooser (modal, its results and the chosen step) lists and returns only the cohorts of
# the rule; another's id is not found.
class CohortChooseView(snippet_chooser.ChooseView):
    def get_object_list(self):
        return cohorts_for(self.request.user)


class CohortChooseResultsView(snippet_chooser.ChooseResultsView):
    def get_object_list(self):
        return cohorts_for(self.request.user)


class CohortChosenView(snippet_chooser.SnippetChosenView):
    def get_object(self, pk):
        return cohorts_for(self.request.user).get(pk=pk)


class CohortChosenMultipleView(snippet_chooser.SnippetChosenMultipleView):
    def get_objects(self, pks):
        return cohorts_for(self.request.user).filter(pk__in=pks)


class CohortChooserViewSet(snippet_chooser.SnippetChooserViewSet):
    choose_view_class = CohortChooseView
    choose_results_view_class = CohortChooseResultsView
    chosen_view_class = CohortChosenView
    chosen_multiple_view_class = CohortChosenMultipleView


class CohortDeleteBulkAction(DeleteBulkAction):
    """Bulk deletion of cohorts: ids outside the rule are dropped before anything is shown, so
    the confirmation does not name another trainer's cohort (Wagtail lists the ones the user may
    not delete)."""

    models = [Cohort]

    def get_all_objects_in_listing_query(self, parent_id):
        return cohorts_for(self.request.user).values_list("pk", flat=True)

    def get_actionable_objects(self):
        objects, extra = super().get_actionable_objects()
        visible = set(
            cohorts_for(self.request.user)
            .filter(pk__in=[o.pk for o in (*objects, *extra["items_with_no_access"])])
            .values_list("pk", flat=True)
        )
        return (
            [o for o in objects if o.pk in visible],
            {"items_with_no_access": [o for o in extra["items_with_no_access"] if o.pk in visible]},
        )


# After Wagtail's own registration for all snippets (the registry keeps the last per model).
hooks.register("register_bulk_action", CohortDeleteBulkAction, order=100)


class CohortScopedSiteHistoryView(LogEntriesView):
    """Wagtail's site history, without the entries of cohorts outside the rule (Wagtail shows
    every entry of a model the user has any permission on). Served at Wagtail's own address
    (the project's URLs put it first)."""

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if queryset.model is ModelLogEntry:
            visible = [
                str(pk) for pk in cohorts_for(self.request.user).values_list("pk", flat=True)
            ]
            queryset = queryset.exclude(
                Q(content_type=ContentType.objects.get_for_model(Cohort))
                & ~Q(object_id__in=visible)
            )
        return queryset


def _admin_view(view):
    """As Wagtail protects its admin views (admin access, no caching), keeping the view's
    identity (the access matrix sees whose view it is)."""
    protected = require_admin_access(never_cache(view))

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        return protected(request, *args, **kwargs)

    return wrapper


def site_history_urls():
    """Wagtail's site history addresses, served by the cohort-scoped view."""
    view = CohortScopedSiteHistoryView
    return [
        path("admin/reports/site-history/", _admin_view(view.as_view())),
        path("admin/reports/site-history/results/", _admin_view(view.as_view(results_only=True))),
    ]


class CohortIndexView(snippet_views.IndexView):
    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        buttons += [
            ListingButton(
                _("Bericht"),
                url=workspace_url("report", instance.pk),
                icon_name="table",
                priority=5,
            ),
            ListingButton(
                _("Teilnehmende"),
                url=workspace_url("participants", instance.pk),
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
        template_name = "workspace/panels/cohort_participants.html"

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
                    participants_url=workspace_url("participants", cohort.pk),
                    import_url=workspace_url("import", cohort.pk),
                    report_url=workspace_url("report", cohort.pk),
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
    chooser_viewset_class = CohortChooserViewSet
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
        return cohorts_for(request.user).annotate(
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


@hooks.register("register_admin_urls")
def register_workspace_urls():
    return [
        path(
            "lernstand/",
            include((workspace_urls(), NAMESPACE), namespace=NAMESPACE),
        )
    ]


@hooks.register("register_admin_urls")
def register_marking_urls():
    return [path("bewertung/", include(marking_urls))]


class MarkingMenuItem(MenuItem):
    def is_shown(self, request):
        return can_mark_essays(request.user)


@hooks.register("register_admin_menu_item")
def register_marking_menu_item():
    return MarkingMenuItem(
        _("Freitexte bewerten"), reverse("training_marking:queue"), icon_name="edit", order=230
    )


@hooks.register("register_admin_urls")
def register_transfer_urls():
    return [path("praxisauftraege/", include(transfer_urls))]


class TransferMenuItem(MenuItem):
    def is_shown(self, request):
        return can_review(request.user)


@hooks.register("register_admin_menu_item")
def register_transfer_menu_item():
    return TransferMenuItem(
        _("Praxisaufträge"), reverse("training_transfer:queue"), icon_name="doc-full", order=235
    )
