"""The trainer's flow in the admin: upload → preview → draft saved → submitted for review."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail import blocks
from wagtail.models import Revision
from wagtail.test.utils.form_data import rich_text

from tests.factories import editor, make_quiz, true_false
from training.models import Quiz
from workspace.interchange import admin, mapping, services

FIXTURES = Path(__file__).parent / "fixtures"
IMPORT_URL = "/admin/fragen-austausch/"

pytestmark = pytest.mark.django_db


def _upload(client, name, content, **fields):
    data = {"file": SimpleUploadedFile(name, content), "target": "new", **fields}
    return client.post(IMPORT_URL, data)


def _block_form(block, value, prefix, out):
    """What Wagtail's edit form posts for a block value (no JavaScript needed to compute it)."""
    if isinstance(block, blocks.StreamBlock):
        children = list(value)
        out[f"{prefix}-count"] = str(len(children))
        for i, child in enumerate(children):
            out[f"{prefix}-{i}-type"] = child.block_type
            out[f"{prefix}-{i}-deleted"] = ""
            out[f"{prefix}-{i}-order"] = str(i)
            out[f"{prefix}-{i}-id"] = child.id
            _block_form(child.block, child.value, f"{prefix}-{i}-value", out)
    elif isinstance(block, blocks.ListBlock):
        children = list(value.bound_blocks)
        out[f"{prefix}-count"] = str(len(children))
        for i, child in enumerate(children):
            out[f"{prefix}-{i}-deleted"] = ""
            out[f"{prefix}-{i}-order"] = str(i)
            out[f"{prefix}-{i}-id"] = child.id
            _block_form(block.child_block, child.value, f"{prefix}-{i}-value", out)
    elif isinstance(block, blocks.StructBlock):
        for name, child in block.child_blocks.items():
            _block_form(child, value.get(name), f"{prefix}-{name}", out)
    elif isinstance(block, blocks.RichTextBlock):
        out[prefix] = rich_text(value.source if value else "")
    elif isinstance(block, blocks.BooleanBlock):
        if value:
            out[prefix] = "on"
    else:
        out[prefix] = "" if value is None else str(value)


def _edit_form(quiz, **action):
    draft = quiz.get_latest_revision_as_object()
    out = {
        "title": draft.title,
        "description": draft.description,
        "category": draft.category,
        "pass_mark": str(draft.pass_mark),
        "exam_paper": "on",
        "one_question_per_page": "on",
        **action,
    }
    _block_form(Quiz.questions.field.stream_block, draft.questions, "questions", out)
    return out


def test_trainer_uploads_previews_saves_a_draft_and_submits_it_for_review(client):
    # given a trainer
    trainer = editor()
    client.force_login(trainer)
    quizzes_before = Quiz.objects.count()
    # when they upload the Moodle XML bank
    response = _upload(
        client,
        "fragensammlung.xml",
        (FIXTURES / "fragensammlung.xml").read_bytes(),
        title="Barrierefreiheit aus Moodle",
    )
    # then they see a preview that lists every question, the refused ones with their reason
    assert response.status_code == 302
    preview_url = response["Location"]
    page = client.get(preview_url).content.decode()
    assert "4 Fragen werden übernommen" in page
    assert "5 Fragen werden nicht übernommen" in page
    assert str(mapping.UNSUPPORTED["shortanswer"]) in page
    assert "Lückentext-Fragen (Cloze) werden nicht unterstützt." in page
    # and nothing is saved yet
    assert Quiz.objects.count() == quizzes_before
    # when they save
    response = client.post(preview_url, {"save": "1"})
    # then a draft quiz with the four importable questions exists, unpublished
    quiz = Quiz.objects.get(title="Barrierefreiheit aus Moodle")
    assert response["Location"] == reverse("wagtailsnippets_training_quiz:edit", args=[quiz.pk])
    assert quiz.live is False
    draft = quiz.get_latest_revision_as_object()
    assert [b.block_type for b in draft.questions] == [
        "single_choice",
        "multiple_choice",
        "true_false",
        "essay",
    ]
    assert quiz.latest_revision.user == trainer
    # when the trainer submits it for review from the quiz editor
    response = client.post(
        reverse("wagtailsnippets_training_quiz:edit", args=[quiz.pk]),
        _edit_form(quiz, **{"action-submit": "1"}),
    )
    # then it waits for «Fachliche Prüfung» and is still not live
    assert response.status_code == 302, response.content.decode()[:2000]
    quiz.refresh_from_db()
    assert quiz.workflow_in_progress
    assert quiz.current_workflow_state.workflow.name == "Fachliche Prüfung"
    assert quiz.live is False


def test_cancel_saves_nothing(client):
    # given a trainer looking at the preview of a GIFT file
    client.force_login(editor())
    revisions_before = Revision.objects.count()
    response = _upload(
        client,
        "fragen.gift",
        (FIXTURES / "fragensammlung.gift").read_bytes(),
        title="Wird verworfen",
    )
    preview_url = response["Location"]
    # when they cancel
    response = client.post(preview_url, {"cancel": "1"})
    # then nothing was saved and the preview is gone
    assert response["Location"] == IMPORT_URL
    assert not Quiz.objects.filter(title="Wird verworfen").exists()
    assert Revision.objects.count() == revisions_before
    assert client.post(preview_url, {"save": "1"})["Location"] == IMPORT_URL
    assert not Quiz.objects.filter(title="Wird verworfen").exists()


def test_questions_are_appended_to_an_existing_draft(client):
    # given a draft that was never published, with one question
    trainer = editor()
    client.force_login(trainer)
    draft = make_quiz(questions=[true_false("t1")], publish=False, title="Entwurf")
    # when a GIFT file is imported into it
    gift = b"::Neu:: Zwei plus zwei ist vier. {T}\n\n::Noch eine:: Welche? {=a ~b}\n"
    response = _upload(client, "neu.gift", gift, target=str(draft.pk))
    client.post(response["Location"], {"save": "1"})
    # then the draft has the old question and the two new ones, still unpublished
    draft.refresh_from_db()
    questions = draft.get_latest_revision_as_object().questions
    assert [b.block_type for b in questions] == ["true_false", "true_false", "single_choice"]
    assert questions[0].id == "t1"
    assert draft.live is False


def test_a_published_quiz_is_no_target_and_is_refused_if_posted(client):
    # given a published quiz
    client.force_login(editor())
    live = make_quiz(questions=[true_false("t1")], title="Live")
    # then it is not offered as a target
    assert f'value="{live.pk}"' not in client.get(IMPORT_URL).content.decode()
    # and a forged post naming it is refused without a change
    response = _upload(client, "neu.gift", b"Frage {T}", target=str(live.pk))
    assert response.status_code == 400
    revisions = live.revisions.count()
    with pytest.raises(Exception) as error:
        services.save_import(
            items=services.read_upload(name="a.gift", data=b"Frage {T}"),
            user=editor(username="zweite"),
            quiz_id=live.pk,
        )
    assert str(services.TARGET_NOT_DRAFT) in str(error.value)
    assert live.revisions.count() == revisions


def test_a_malformed_file_gets_the_german_message_with_its_line(client):
    client.force_login(editor())
    response = _upload(
        client, "kaputt.gift", b"::A:: Frage {=a ~b}\n\n::B:: Frage {=a ~b\n", title="X"
    )
    assert response.status_code == 400
    assert (
        "Zeile 3: Die geschweifte Klammer «{» wird nicht geschlossen." in response.content.decode()
    )
    assert not Quiz.objects.filter(title="X").exists()


def test_another_persons_preview_cannot_be_saved(client):
    # given a preview of one trainer
    client.force_login(editor(username="eins"))
    preview_url = _upload(client, "a.gift", b"Frage {T}", title="Fremd")["Location"]
    # when another trainer opens or saves it
    client.force_login(editor(username="zwei"))
    response = client.post(preview_url, {"save": "1"})
    # then it does not exist for them
    assert response["Location"] == IMPORT_URL
    assert not Quiz.objects.filter(title="Fremd").exists()


def test_who_has_no_quiz_rights_cannot_import_preview_or_export(client):
    from tests.factories import UserFactory

    # given a trainer's pending preview and a quiz
    client.force_login(editor())
    preview_url = _upload(client, "a.gift", b"Frage {T}", title="Nicht fremd")["Location"]
    quiz = make_quiz()
    urls = [IMPORT_URL, preview_url, f"{IMPORT_URL}export/{quiz.pk}/?format=gift"]
    # then a participant is sent to the admin login, like everywhere in the admin
    client.force_login(UserFactory())
    for url in urls:
        response = client.get(url)
        assert (response.status_code, response["Location"].split("?")[0]) == (302, "/admin/login/")
        response = client.post(url, {"save": "1"})
        assert response.status_code == 302
    # and a unit lead, who may enter the admin but not write quizzes, is turned away there
    client.force_login(editor(group="Dienststellenleitung", username="leitung"))
    for url in urls:
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, "/admin/")
        assert client.post(url, {"save": "1"})["Location"] == "/admin/"
    assert IMPORT_URL not in client.get("/admin/").content.decode()
    assert not Quiz.objects.filter(title="Nicht fremd").exists()


def test_a_saved_preview_cannot_be_saved_again(client):
    # given a trainer who saved a preview
    client.force_login(editor())
    preview_url = _upload(client, "a.gift", b"Frage {T}", title="Einmal")["Location"]
    client.post(preview_url, {"save": "1"})
    # when the same form is posted again (a double click, the back button, a replay)
    response = client.post(preview_url, {"save": "1"})
    # then it is gone and nothing is saved twice
    assert response["Location"] == IMPORT_URL
    assert Quiz.objects.filter(title="Einmal").count() == 1


def test_export_of_a_revision_and_another_quizs_revision_is_not_found(client):
    # given a quiz with two revisions and another quiz
    client.force_login(editor())
    quiz = make_quiz(questions=[true_false("t1", text="Erste Fassung")])
    first = quiz.latest_revision
    quiz.questions = [("true_false", {"text": "Zweite Fassung", "correct": False, "points": 1})]
    quiz.save_revision()
    other = make_quiz()
    url = reverse(f"{admin.NAMESPACE}:export", args=[quiz.pk])
    # when the first revision is exported
    response = client.get(url, {"format": "gift", "revision": first.pk})
    # then it is that revision's content, as an attachment
    body = response.content.decode()
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="lernkontrolle-{quiz.pk}-v{first.pk}.txt"'
    )
    assert "Erste Fassung" in body and "Zweite Fassung" not in body
    # and the latest as Moodle XML
    xml = client.get(url, {"format": "xml"}).content.decode()
    assert "Zweite Fassung" in xml and "<quiz>" in xml
    # and the quiz list links to the export page, which lists the revisions
    listing = client.get(reverse("wagtailsnippets_training_quiz:list")).content.decode()
    assert url in listing
    assert f"revision={first.pk}" in client.get(url).content.decode()
    # but a revision of another quiz is not found
    response = client.get(url, {"format": "gift", "revision": other.latest_revision.pk})
    assert response.status_code == 404
    assert client.get(url, {"format": "pdf"}).status_code == 404
