from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from training import admin_views, services
from training.models import Cohort, Quiz


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "tasks"
    menu_label = _("Lernkontrollen")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["title", "category", "pass_mark"]
    search_fields = ["title"]


class CohortViewSet(SnippetViewSet):
    model = Cohort
    icon = "group"
    menu_label = _("Kursdurchführungen")
    menu_order = 220
    add_to_admin_menu = True
    list_display = ["name", "organisation", "starts_on", "ends_on"]
    search_fields = ["name", "organisation"]


register_snippet(QuizViewSet)
register_snippet(CohortViewSet)


marking_urls = (
    [
        path("", admin_views.MarkingQueueView.as_view(), name="queue"),
        path("<int:sitting_id>/", admin_views.MarkSittingView.as_view(), name="sitting"),
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
