"""Question blocks of a quiz. Scoring lives in training.quizzes.scoring (pure functions)."""

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

from cms.blocks import RICH_TEXT_FEATURES
from training.quizzes.scoring import MultipleChoiceScoring

NEEDS_ONE_CORRECT_ANSWER = _("Markieren Sie genau eine Antwort als richtig.")
NEEDS_A_CORRECT_ANSWER = _("Markieren Sie mindestens eine Antwort als richtig.")
NEEDS_FIGURE_ALT = _("Bitte beschreiben Sie die Abbildung mit einem Alternativtext.")
ANSWER_ORDER_CHOICES = [
    ("random", _("zufällig, für jeden Versuch neu")),
    ("authored", _("wie eingegeben")),
    ("alphabetical", _("alphabetisch")),
]
MC_SCORING_CHOICES = [
    (
        MultipleChoiceScoring.RIGHT_MINUS_WRONG.value,
        _("Teilpunkte: jede richtige Auswahl zählt, jede falsche wird abgezogen"),
    ),
    (
        MultipleChoiceScoring.PER_OPTION.value,
        _("Teilpunkte: jede richtig beurteilte Antwort zählt (angekreuzt oder nicht)"),
    ),
    (MultipleChoiceScoring.ALL_OR_NOTHING.value, _("Alles oder nichts")),
]


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
    figure = ImageChooserBlock(label=_("Abbildung"), required=False)
    figure_alt = blocks.CharBlock(
        label=_("Alternativtext der Abbildung"),
        required=False,
        max_length=250,
        help_text=_("Beschreibt die Abbildung für Menschen, die sie nicht sehen können."),
    )

    def clean(self, value):
        value = super().clean(value)
        if value.get("figure") and not (value.get("figure_alt") or "").strip():
            raise blocks.StructBlockValidationError(
                block_errors={"figure_alt": ValidationError(NEEDS_FIGURE_ALT)}
            )
        return value


class ChoiceQuestionBlock(BaseQuestionBlock):
    answers = blocks.ListBlock(AnswerBlock(), label=_("Antworten"), min_num=2)
    points = blocks.IntegerBlock(label=_("Punkte"), default=1, min_value=1)
    answer_order = blocks.ChoiceBlock(
        label=_("Reihenfolge der Antworten"),
        choices=ANSWER_ORDER_CHOICES,
        default="random",
        required=False,
        help_text=_(
            "Zufällig ist Standard, damit die richtige Antwort nicht immer an derselben Stelle "
            "steht. „Wie eingegeben“ für Antworten wie „Alle genannten“."
        ),
    )


class SingleChoiceBlock(ChoiceQuestionBlock):
    def clean(self, value):
        value = super().clean(value)
        if sum(1 for answer in value["answers"] if answer["correct"]) != 1:
            raise blocks.StructBlockValidationError(
                non_block_errors=ErrorList([ValidationError(NEEDS_ONE_CORRECT_ANSWER)])
            )
        return value

    class Meta:
        icon = "radio-empty"
        label = _("Einfachauswahl")


class MultipleChoiceBlock(ChoiceQuestionBlock):
    scoring = blocks.ChoiceBlock(
        label=_("Bewertung"),
        choices=MC_SCORING_CHOICES,
        default=MultipleChoiceScoring.RIGHT_MINUS_WRONG.value,
        help_text=_("Wie teilweise richtige Auswahl bewertet wird."),
    )

    def clean(self, value):
        value = super().clean(value)
        if not any(answer["correct"] for answer in value["answers"]):
            raise blocks.StructBlockValidationError(
                non_block_errors=ErrorList([ValidationError(NEEDS_A_CORRECT_ANSWER)])
            )
        return value

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
