"""Finished attempts with an essay waiting for a mark, stored as the quiz services store them,
for the tests of marking, the audit log and escaping on trainer pages."""

from datetime import timedelta

from django.utils import timezone

from tests.factories import course_module_ids, essay, make_quiz, single_choice
from training.models import Sitting

ESSAY_ID = "e1"


def essay_quiz(*, title="Kontrolle mit Freitext", question="Beschreiben Sie Ihr Vorgehen."):
    return make_quiz(
        title=title, questions=[single_choice("s1"), essay(ESSAY_ID, question, points=4)]
    )


def essay_sitting(*, enrollment, quiz, course, text="Ich höre zu.", minutes_ago=10):
    """A finished attempt: s1 answered right (1 point), the essay (4 points) not marked yet."""
    finished = timezone.now() - timedelta(minutes=minutes_ago)
    return Sitting.objects.create(
        user_id=enrollment.user_id,
        quiz=quiz,
        quiz_revision=quiz.latest_revision,
        enrollment=enrollment,
        module_id=course_module_ids(course)[0],
        question_order=["s1", ESSAY_ID],
        answers={
            "s1": {"response": ["s1-right"], "points": "1"},
            ESSAY_ID: {"response": text, "points": None},
        },
        score=1,
        max_score=5,
        complete=True,
        needs_marking=True,
        finished_at=finished,
    )
