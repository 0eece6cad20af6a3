from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

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
