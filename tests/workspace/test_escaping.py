"""What participants (and authors) type is shown escaped on every trainer page, never as
markup: a name, an essay answer and a question containing a script tag."""

import pytest
from django.urls import reverse

from tests.factories import enroll_many
from tests.workspace.essay_sittings import essay_quiz, essay_sitting

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
# Breaks out of an attribute value if it were inserted unescaped.
IMAGE = "\"'><img src=x onerror=alert(2)>"
ESCAPED_IMAGE = "&quot;&#x27;&gt;&lt;img src=x onerror=alert(2)&gt;"


@pytest.fixture
def hostile(cohort, course):
    """A participant named with markup, whose essay answer and quiz question contain it too."""
    (enrollment,) = enroll_many(cohort, 1)
    enrollment.user.first_name = SCRIPT
    enrollment.user.last_name = IMAGE
    enrollment.user.save()
    quiz = essay_quiz(title=f"Kontrolle {SCRIPT}", question=f"Frage {SCRIPT} {IMAGE}")
    sitting = essay_sitting(
        enrollment=enrollment, quiz=quiz, course=course, text=f"Antwort {SCRIPT}\n{IMAGE}"
    )
    return enrollment, quiz, sitting


def trainer_pages(cohort, enrollment, quiz, sitting):
    workspace = "training_workspace:"
    return {
        "cohort report": reverse(workspace + "report", args=[cohort.pk]),
        "participant detail": reverse(workspace + "participant", args=[cohort.pk, enrollment.pk]),
        "attempt": reverse(workspace + "sitting", args=[cohort.pk, enrollment.pk, sitting.pk]),
        "marking queue": reverse("training_marking:queue"),
        "marking page": reverse("training_marking:sitting", args=[sitting.pk]),
        "quiz statistics": reverse(workspace + "quiz_statistics", args=[cohort.pk, quiz.pk]),
    }


def test_markup_from_names_answers_and_questions_is_escaped(trainer_client, cohort, hostile):
    for page, path in trainer_pages(cohort, *hostile).items():
        # when the trainer opens the page
        response = trainer_client.get(path)
        html = response.content.decode()
        # then the text is there, escaped, and never as markup
        assert response.status_code == 200, page
        assert ESCAPED_SCRIPT in html, page
        assert SCRIPT not in html, page
        assert "<img src=x" not in html, page
        if page != "cohort report":  # the report shows names, not the question
            assert ESCAPED_IMAGE in html, page


def test_a_mark_refused_with_the_answer_on_screen_stays_escaped(trainer_client, hostile):
    _enrollment, _quiz, sitting = hostile

    response = trainer_client.post(
        reverse("training_marking:sitting", args=[sitting.pk]),
        {"block_id": "e1", "points": SCRIPT, "feedback": SCRIPT},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert ESCAPED_SCRIPT in html
    assert SCRIPT not in html
