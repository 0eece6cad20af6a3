"""Question blocks of a quiz. Scoring lives in training.scoring (pure functions)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from cms.blocks import RICH_TEXT_FEATURES


class AnswerBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Antwort"), max_length=500)
    correct = blocks.BooleanBlock(label=_("Richtig"), required=False)
    feedback = blocks.TextBlock(label=_("Rückmeldung zu dieser Antwort"), required=False)

    class Meta:
        icon = "radio-full"
        label = _("Antwort")


class BaseQuestionBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Frage"))
    category = blocks.CharBlock(
        label=_("Kategorie"),
        required=False,
        max_length=100,
        help_text=_("Optional: Fragen gleicher Kategorie bilden einen Pool."),
    )
    explanation = blocks.RichTextBlock(
        label=_("Erklärung"),
        features=RICH_TEXT_FEATURES,
        required=False,
        help_text=_("Wird nach der Beantwortung angezeigt."),
    )


class SingleChoiceBlock(BaseQuestionBlock):
    answers = blocks.ListBlock(AnswerBlock(), label=_("Antworten"), min_num=2)
    points = blocks.IntegerBlock(label=_("Punkte"), default=1, min_value=1)

    class Meta:
        icon = "radio-empty"
        label = _("Einfachauswahl")


class MultipleChoiceBlock(BaseQuestionBlock):
    answers = blocks.ListBlock(AnswerBlock(), label=_("Antworten"), min_num=2)
    points = blocks.IntegerBlock(label=_("Punkte"), default=1, min_value=1)
    partial_credit = blocks.BooleanBlock(
        label=_("Teilpunkte vergeben"),
        required=False,
        default=True,
        help_text=_("Teilpunkte für teilweise richtige Auswahl; sonst nur alles oder nichts."),
    )

    class Meta:
        icon = "list-ul"
        label = _("Mehrfachauswahl")


class TrueFalseBlock(BaseQuestionBlock):
    correct = blocks.BooleanBlock(label=_("Die Aussage ist richtig"), required=False)
    points = blocks.IntegerBlock(label=_("Punkte"), default=1, min_value=1)

    class Meta:
        icon = "tick"
        label = _("Richtig/Falsch")


class EssayBlock(BaseQuestionBlock):
    points = blocks.IntegerBlock(label=_("Punkte"), default=4, min_value=1)
    model_answer = blocks.RichTextBlock(
        label=_("Musterlösung für die Bewertung"), features=RICH_TEXT_FEATURES, required=False
    )

    class Meta:
        icon = "edit"
        label = _("Freitext")


class QuestionStreamBlock(blocks.StreamBlock):
    single_choice = SingleChoiceBlock()
    multiple_choice = MultipleChoiceBlock()
    true_false = TrueFalseBlock()
    essay = EssayBlock()
