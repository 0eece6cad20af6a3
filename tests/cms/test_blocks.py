"""Every block of a module's body renders, also with its optional fields left empty."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from wagtail.blocks import StreamValue
from wagtail.documents.models import Document
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.rich_text import RichText

from cms.blocks import ImageBlock, ModuleBodyBlock
from training.models import Quiz

pytestmark = pytest.mark.django_db

VIDEO_URL = "https://www.youtube.com/watch?v=abc123"


def render(block_type, raw_value):
    """Renders one block the way the module template does: as a child of the body stream."""
    stream = StreamValue(
        ModuleBodyBlock(), [{"type": block_type, "value": raw_value}], is_lazy=True
    )
    return stream[0].render().strip()


@pytest.fixture
def image():
    return Image.objects.create(title="Schalterhalle", file=get_test_image_file())


@pytest.fixture
def document():
    document = Document(
        title="Checkliste Umzug", file=ContentFile(b"%PDF-1.4 Checkliste", name="checkliste.pdf")
    )
    document._set_document_file_metadata()  # as the upload form does
    document.save()
    return document


@pytest.fixture
def stored_embed():
    # The oEmbed provider is outside this machine; Wagtail reads a stored embed first.
    return Embed.objects.create(
        url=VIDEO_URL,
        hash=get_embed_hash(VIDEO_URL),
        type="video",
        html='<iframe title="Erklärvideo: Online-Umzug" src="https://www.youtube.com/embed/abc123"></iframe>',
        title="Erklärvideo",
    )


def test_heading_block_renders_a_second_level_heading():
    assert render("heading", "Ausgangslage") == "<h2>Ausgangslage</h2>"


def test_text_block_renders_its_rich_text():
    assert (
        render("text", "<p>Ein <b>wichtiger</b> Satz.</p>") == "<p>Ein <b>wichtiger</b> Satz.</p>"
    )


def test_image_block_renders_alt_text_and_caption(image):
    html = render(
        "image", {"image": image.pk, "alt_text": "Leere Schalterhalle", "caption": "Foto"}
    )
    assert 'alt="Leere Schalterhalle"' in html
    assert "<figcaption>Foto</figcaption>" in html


def render_body(raw_blocks):
    stream = StreamValue(ModuleBodyBlock(), raw_blocks, is_lazy=True)
    return "".join(str(child.render()) for child in stream)


def test_a_body_with_many_images_renders_with_as_many_queries_as_with_one(
    django_assert_num_queries,
):
    # given bodies with one and with four images whose renditions exist (first view made them)
    images = [Image.objects.create(title=f"Bild {i}", file=get_test_image_file()) for i in range(4)]

    def body(count):
        return [
            {"type": "image", "value": {"image": img.pk, "alt_text": f"Bild {i}"}}
            for i, img in enumerate(images[:count])
        ]

    render_body(body(4))
    # when each renders afresh, with Wagtail's rendition cache empty (as after a restart or an
    # eviction), then the images come with their renditions in two queries, not one per image
    cache.clear()
    with django_assert_num_queries(2):
        one = render_body(body(1))
    cache.clear()
    with django_assert_num_queries(2):
        four = render_body(body(4))
    assert one.count("<img") == 1 and four.count("<img") == 4
    # the same image twice in a body renders twice
    twice = render_body(body(1) + body(1))
    assert twice.count("<img") == 2


def test_image_block_renders_without_caption(image):
    html = render("image", {"image": image.pk, "alt_text": "Leere Schalterhalle", "caption": ""})
    assert 'alt="Leere Schalterhalle"' in html
    assert "figcaption" not in html


def test_image_block_renders_nothing_when_the_image_was_deleted():
    assert render("image", {"image": 999_999, "alt_text": "Weg", "caption": ""}) == ""


def test_image_block_requires_alt_text(image):
    # given an image block without alternative text
    block = ImageBlock()
    for alt_text in ("", "   "):
        # when it is validated
        with pytest.raises(ValidationError) as error:
            block.clean(block.to_python({"image": image.pk, "alt_text": alt_text, "caption": ""}))
        # then the alt text field carries the error
        assert "alt_text" in error.value.block_errors


def test_image_block_accepts_alt_text(image):
    block = ImageBlock()
    value = block.clean(
        block.to_python({"image": image.pk, "alt_text": "Ein Schalter", "caption": ""})
    )
    assert value["alt_text"] == "Ein Schalter"


def test_video_block_renders_embed_link_title_and_transcript(stored_embed):
    html = render(
        "video",
        {"video": VIDEO_URL, "title": "Online umziehen", "transcript": "<p>Gesprochener Text.</p>"},
    )
    assert 'title="Erklärvideo: Online-Umzug"' in html
    assert "Online umziehen" in html
    assert f'<a href="{VIDEO_URL}">' in html
    assert "<summary>Transkript anzeigen</summary><p>Gesprochener Text.</p>" in html


def test_video_block_renders_without_title_and_transcript(stored_embed):
    html = render("video", {"video": VIDEO_URL, "title": "", "transcript": ""})
    assert '<iframe title="Erklärvideo: Online-Umzug"' in html
    assert f'<a href="{VIDEO_URL}">' in html
    assert "Transkript" not in html
    assert " · " not in html


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        ("tipp", "Tipp"),
        ("merksatz", "Merksatz"),
        ("praxisbeispiel", "Praxisbeispiel"),
        ("achtung", "Achtung"),
    ],
)
def test_callout_block_renders_each_kind_with_its_german_label(kind, label):
    html = render("callout", {"kind": kind, "title": "Kurz gesagt", "text": "<p>Inhalt.</p>"})
    assert f'class="callout callout--{kind}"' in html
    assert f'<span class="callout__kind">{label}</span>: Kurz gesagt</p>' in html
    assert "<p>Inhalt.</p>" in html


def test_callout_block_renders_without_title():
    html = render("callout", {"kind": "tipp", "title": "", "text": "<p>Inhalt.</p>"})
    assert '<p class="callout__label"><span class="callout__kind">Tipp</span></p>' in html


def test_case_study_block_hides_the_solution_behind_a_disclosure():
    html = render(
        "case_study",
        {
            "title": "Der Umzug",
            "situation": "<p>Frau B. zieht um.</p>",
            "task": "<p>Was raten Sie?</p>",
            "solution": "<p>Online melden.</p>",
        },
    )
    assert "Fallbeispiel:</span> Der Umzug</h2>" in html
    assert "<h3>Ausgangslage</h3>" in html and "<p>Frau B. zieht um.</p>" in html
    assert "<h3>Aufgabe</h3>" in html and "<p>Was raten Sie?</p>" in html
    assert "<summary>Lösungsvorschlag anzeigen</summary>" in html
    assert html.index("<details") < html.index("<p>Online melden.</p>")


def test_case_study_block_renders_without_solution():
    html = render(
        "case_study",
        {"title": "Der Umzug", "situation": "<p>S.</p>", "task": "<p>A.</p>", "solution": ""},
    )
    assert "<h3>Aufgabe</h3>" in html
    assert "<details" not in html


def test_reflection_block_renders_question_and_hint():
    html = render("reflection", {"question": "Was nehmen Sie mit?", "hint": "Zwei Sätze genügen."})
    assert '<p class="reflection__question">Was nehmen Sie mit?</p>' in html
    assert '<p class="meta">Zwei Sätze genügen.</p>' in html


def test_reflection_block_renders_without_hint():
    html = render("reflection", {"question": "Was nehmen Sie mit?", "hint": ""})
    assert "Zum Nachdenken" in html
    assert 'class="meta"' not in html


def test_video_block_offers_the_link_when_the_embed_cannot_be_fetched(stored_embed):
    # given an embed the provider no longer delivers (Wagtail stores it with empty HTML)
    stored_embed.html = ""
    stored_embed.save()
    # when the block renders
    html = render("video", {"video": VIDEO_URL, "title": "", "transcript": ""})
    # then the link to the video remains, without an empty frame
    assert "video__frame" not in html
    assert f'<a href="{VIDEO_URL}">' in html


def test_document_block_renders_a_download_link(document):
    html = render(
        "document", {"document": document.pk, "title": "Checkliste", "description": "Eine Seite."}
    )
    assert f'<a href="{document.url}" download>Checkliste</a>' in html
    assert '<span class="meta">(PDF, 19\xa0Bytes)</span>' in html
    assert "Eine Seite." in html


def test_document_block_falls_back_to_the_document_title(document):
    html = render("document", {"document": document.pk, "title": "", "description": ""})
    assert f'<a href="{document.url}" download>Checkliste Umzug</a>' in html
    assert "<br>" not in html


def test_quiz_block_renders_the_quiz_title_and_intro():
    quiz = Quiz.objects.create(title="Lernkontrolle: Umzug")
    html = render("quiz", {"quiz": quiz.pk, "intro": "Fünf Fragen."})
    assert ">Lernkontrolle: Umzug</h2>" in html
    assert "<p>Fünf Fragen.</p>" in html


def test_quiz_block_renders_a_default_intro_when_empty():
    quiz = Quiz.objects.create(title="Lernkontrolle: Umzug")
    html = render("quiz", {"quiz": quiz.pk, "intro": ""})
    assert "Mit dieser Lernkontrolle prüfen Sie" in html


def test_figure_block_renders_the_course_svg_with_alt_text_and_text_version():
    html = render(
        "figure",
        {
            "figure": "reifegradmodell",
            "alt_text": "Vier Dimensionen und die Ziele bis 2031",
            "description": "<p>Vier Säulen nebeneinander.</p>",
            "caption": "Darstellung des Kurses",
        },
    )
    assert 'src="/static/cms/figures/reifegradmodell.svg"' in html
    assert 'alt="Vier Dimensionen und die Ziele bis 2031"' in html
    assert "<figcaption>Darstellung des Kurses</figcaption>" in html
    assert "<summary>Textfassung der Abbildung</summary>" in html
    assert "<p>Vier Säulen nebeneinander.</p>" in html


def test_figure_block_requires_alt_text_and_text_version():
    block = ModuleBodyBlock().child_blocks["figure"]
    value = block.to_python({"figure": "veraenderungskurve", "alt_text": "", "description": ""})
    with pytest.raises(ValidationError):
        block.clean(value)


def test_every_block_type_of_the_body_is_covered_here():
    # A new block type must get its rendering tests in this file.
    assert sorted(ModuleBodyBlock().child_blocks) == [
        "callout",
        "case_study",
        "document",
        "figure",
        "heading",
        "image",
        "quiz",
        "reflection",
        "text",
        "video",
    ]


def test_rich_text_blocks_offer_only_the_explicit_features():
    body = ModuleBodyBlock()
    assert body.child_blocks["text"].features == [
        "bold",
        "italic",
        "ol",
        "ul",
        "link",
        "document-link",
    ]
    assert isinstance(body.child_blocks["text"].to_python("<p>x</p>"), RichText)
