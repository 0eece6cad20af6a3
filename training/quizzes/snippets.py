"""The Quiz snippet in the Wagtail admin (*Lernkontrollen*): drafts, revisions, preview,
locking and the moderation workflow come with the model's mixins."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.snippets import SnippetViewSet

from training.models import CourseRules
from training.quizzes.models import Quiz


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "tasks"
    menu_label = _("Lernkontrollen")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["title", "category", "pass_mark"]
    search_fields = ["title"]


class CourseRulesViewSet(SnippetViewSet):
    """What completes each course besides its modules: final exam, transfer tasks (Kursleitung)."""

    model = CourseRules
    icon = "success"
    menu_label = _("Abschlussregeln")
    menu_order = 215
    add_to_admin_menu = True
    list_display = ["course", "final_exam", "transfer_tasks", "improvement_board"]
