"""StreamField blocks of a module's body. Every block renders with its optional fields empty."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds import embeds
from wagtail.embeds.blocks import EmbedBlock
from wagtail.embeds.exceptions import EmbedException
from wagtail.images import get_image_model
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

# An explicit list: trainers get formatting, never raw HTML.
RICH_TEXT_FEATURES = ["bold", "italic", "ol", "ul", "link", "document-link"]
# Legal and reference texts are longer and need their own structure: h1 is the page title.
STANDARD_PAGE_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"]

CALLOUT_KINDS = [
    ("tipp", _("Tipp")),
    ("merksatz", _("Merksatz")),
    ("praxisbeispiel", _("Praxisbeispiel")),
    ("achtung", _("Achtung")),
]


class HeadingBlock(blocks.CharBlock):
    class Meta:
        template = "cms/blocks/heading.html"
        icon = "title"
        label = _("Zwischenüberschrift")


# The rendition the module template shows (cms/templates/cms/blocks/image.html).
MODULE_IMAGE_FILTER = "max-1200x900"


class RenditionImageChooserBlock(ImageChooserBlock):
    """Loads a body's chosen images together with their renditions in the template's size, as
    Wagtail's ``prefetch_renditions`` does: a body with many images renders with two queries
    instead of one more per image."""

    def bulk_to_python(self, values):
        images = super().bulk_to_python(values)
        renditions = get_image_model().get_rendition_model().objects
        prefetch_related_objects(
            [image for image in images if image is not None],
            Prefetch(
                "renditions",
                queryset=renditions.filter(filter_spec=MODULE_IMAGE_FILTER),
                to_attr="prefetched_renditions",
            ),
        )
        return images


class ImageBlock(blocks.StructBlock):
    image = RenditionImageChooserBlock(label=_("Bild"))
    alt_text = blocks.CharBlock(
        label=_("Alternativtext"),
        max_length=250,
        help_text=_("Beschreibt das Bild für Menschen, die es nicht sehen können. Pflichtfeld."),
    )
    caption = blocks.CharBlock(label=_("Bildunterschrift"), required=False, max_length=250)

    def clean(self, value):
        value = super().clean(value)
        if not (value.get("alt_text") or "").strip():
            raise blocks.StructBlockValidationError(
                block_errors={
                    "alt_text": ValidationError(_("Bitte geben Sie einen Alternativtext ein."))
                }
            )
        return value

    class Meta:
        template = "cms/blocks/image.html"
        icon = "image"
        label = _("Bild")


# Diagrams drawn for this course (SVG under cms/static/cms/figures/). Static files rather than
# uploads: an uploaded SVG can carry script, so image uploads stay raster-only.
FIGURES = [
    ("reifegradmodell", _("Reifegradmodell: vier Dimensionen, Ziele bis 2031")),
    ("customer-journey", _("Customer Journey: die Lebenslage Umzug")),
    ("veraenderungskurve", _("Veränderungskurve")),
]


class FigureBlock(blocks.StructBlock):
    """A course diagram with a short alternative text and a full text version beside it."""

    figure = blocks.ChoiceBlock(choices=FIGURES, label=_("Abbildung"))
    alt_text = blocks.CharBlock(
        label=_("Alternativtext"),
        max_length=250,
        help_text=_("Kurz: was die Abbildung zeigt. Die Einzelheiten gehören in die Textfassung."),
    )
    description = blocks.RichTextBlock(
        label=_("Textfassung"),
        features=RICH_TEXT_FEATURES,
        help_text=_("Alles, was die Abbildung aussagt, als Text (aufklappbar unter dem Bild)."),
    )
    caption = blocks.CharBlock(label=_("Bildunterschrift"), required=False, max_length=250)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["figure_path"] = f"cms/figures/{value.get('figure')}.svg"
        return context

    class Meta:
        template = "cms/blocks/figure.html"
        icon = "image"
        label = _("Abbildung des Kurses")


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(label=_("Video-URL"))
    title = blocks.CharBlock(label=_("Titel"), required=False, max_length=200)
    transcript = blocks.RichTextBlock(
        label=_("Transkript"),
        features=RICH_TEXT_FEATURES,
        required=False,
        help_text=_("Text des Videos für Menschen, die es nicht hören oder sehen können."),
    )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        video = value.get("video")
        context["embed_html"] = ""
        if video:
            # An embed the provider no longer delivers is stored with empty HTML: then the
            # template offers only the link, not an empty frame.
            try:
                embed = embeds.get_embed(video.url, video.max_width, video.max_height)
            except EmbedException:
                embed = None
            if embed is not None and embed.html:
                context["embed_html"] = video.html
        return context

    class Meta:
        template = "cms/blocks/video.html"
        icon = "media"
        label = _("Video")


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(choices=CALLOUT_KINDS, default="tipp", label=_("Art"))
    title = blocks.CharBlock(label=_("Titel"), required=False, max_length=200)
    text = blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["kind_label"] = dict(CALLOUT_KINDS).get(value.get("kind"), CALLOUT_KINDS[0][1])
        return context

    class Meta:
        template = "cms/blocks/callout.html"
        icon = "help"
        label = _("Hinweisbox")


class CaseStudyBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titel"), max_length=200)
    situation = blocks.RichTextBlock(label=_("Ausgangslage"), features=RICH_TEXT_FEATURES)
    task = blocks.RichTextBlock(label=_("Aufgabe"), features=RICH_TEXT_FEATURES)
    solution = blocks.RichTextBlock(
        label=_("Lösungsvorschlag"),
        features=RICH_TEXT_FEATURES,
        required=False,
        help_text=_("Wird erst nach einem Klick auf «Lösungsvorschlag anzeigen» sichtbar."),
    )

    class Meta:
        template = "cms/blocks/case_study.html"
        icon = "group"
        label = _("Fallbeispiel")


class ReflectionBlock(blocks.StructBlock):
    question = blocks.TextBlock(label=_("Reflexionsfrage"))
    hint = blocks.TextBlock(label=_("Hinweis"), required=False)

    class Meta:
        template = "cms/blocks/reflection.html"
        icon = "pick"
        label = _("Reflexionsfrage")


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Dokument"))
    title = blocks.CharBlock(label=_("Linktext"), required=False, max_length=200)
    description = blocks.TextBlock(label=_("Beschreibung"), required=False)

    class Meta:
        template = "cms/blocks/document.html"
        icon = "doc-full"
        label = _("Dokument zum Herunterladen")


class QuizBlock(blocks.StructBlock):
    """Places the module's quiz. The participant's state comes from training's template tag,
    so the page content itself stays the same for everybody (and cacheable per revision)."""

    quiz = SnippetChooserBlock("training.Quiz", label=_("Lernkontrolle"))
    intro = blocks.TextBlock(label=_("Einleitung"), required=False)

    class Meta:
        template = "cms/blocks/quiz.html"
        icon = "tasks"
        label = _("Lernkontrolle")


class ModuleBodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Text"), icon="pilcrow")
    image = ImageBlock()
    figure = FigureBlock()
    video = VideoBlock()
    callout = CalloutBlock()
    case_study = CaseStudyBlock()
    reflection = ReflectionBlock()
    document = DocumentBlock()
    quiz = QuizBlock()
