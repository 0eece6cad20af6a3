"""The cms's parts of the Wagtail admin: the glossary snippet and the readability check that
warns (never blocks) when a saved module is hard to read."""

from django.contrib import messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.models import GlossaryTerm, ModulePage
from cms.readability import (
    CALLOUT_MINIMUM,
    LONGEST_SENTENCE_WORDS,
    MODULE_BODY_MINIMUM,
    body_report,
)


class GlossaryTermViewSet(SnippetViewSet):
    model = GlossaryTerm
    icon = "help"
    menu_label = gettext_lazy("Glossar")
    menu_order = 220
    add_to_admin_menu = True
    list_display = ["term", "expansion", "slug"]
    search_fields = ["term", "expansion", "explanation"]


register_snippet(GlossaryTermViewSet)


def readability_messages(page) -> list[str]:
    """What a trainer should know about how the module reads; empty when it reads well."""
    report = body_report(page.body)
    found = []
    if report.body.amstad < MODULE_BODY_MINIMUM:
        found.append(
            _(
                "Lesbarkeit: Der Modultext erreicht %(score)s Punkte (Amstad); Ziel sind "
                "mindestens %(goal)s. Kürzere Sätze und kürzere Wörter helfen."
            )
            % {"score": f"{report.body.amstad:.0f}", "goal": f"{MODULE_BODY_MINIMUM:.0f}"}
        )
    if report.body.longest_sentence > LONGEST_SENTENCE_WORDS:
        found.append(
            _(
                "Lesbarkeit: Der längste Satz hat %(words)s Wörter (empfohlen: höchstens "
                "%(limit)s): «%(start)s …»"
            )
            % {
                "words": report.body.longest_sentence,
                "limit": LONGEST_SENTENCE_WORDS,
                "start": " ".join(report.body.longest_sentence_text.split()[:8]),
            }
        )
    for start, score in report.weak_callouts:
        found.append(
            _(
                "Lesbarkeit: Die Hinweisbox «%(start)s …» erreicht %(score)s Punkte (Ziel: "
                "mindestens %(goal)s)."
            )
            % {"start": start, "score": f"{score:.0f}", "goal": f"{CALLOUT_MINIMUM:.0f}"}
        )
    return found


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def warn_when_hard_to_read(request, page):
    """Saved or published all the same: the warnings appear above the editor."""
    page = page.specific
    if isinstance(page, ModulePage):
        for message in readability_messages(page):
            messages.warning(request, message)
