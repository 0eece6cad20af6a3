"""A participant in full: module dates, every sitting with answers, scores and time taken."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.factories import course_module_ids, enroll_many, make_sitting, make_workspace_quiz
from training.models import ModuleProgress
from workspace.participants import sitting_answers


def test_the_detail_lists_module_dates_sittings_and_history(trainer_client, cohort, course):
    # given a participant with one completed module and two sittings
    (enrollment,) = enroll_many(cohort, 1)
    m = course_module_ids(course)
    done = timezone.now() - timedelta(days=1)
    ModuleProgress.objects.create(
        enrollment=enrollment, module_id=m[0], content_done_at=done, completed_at=done
    )
    quiz = make_workspace_quiz(title="Kontrolle Modul 1.2")
    started = timezone.now() - timedelta(minutes=30)
    make_sitting(
        enrollment=enrollment,
        module_id=m[1],
        quiz=quiz,
        passed=False,
        score=2,
        max_score=6,
        finished_at=started + timedelta(minutes=12, seconds=5),
    )
    make_sitting(enrollment=enrollment, module_id=m[1], quiz=quiz, attempt=2, complete=False)
    # when
    response = trainer_client.get(
        reverse("training_workspace:participant", args=[cohort.pk, enrollment.pk])
    )
    # then
    record = response.context["record"]
    assert [(r.module.title, r.status) for r in record.modules[:3]] == [
        ("Modul 1.1", "complete"),
        ("Modul 1.2", "quiz_failed"),  # failed until a later attempt passes
        ("Modul 1.3", "not_started"),
    ]
    first, second = record.sittings
    assert first.sitting.attempt_number == 1
    assert second.duration_text == "—"
    html = response.content.decode()
    assert "Kontrolle Modul 1.2" in html
    assert "2,00 / 6,00 (33 %)" in html
    assert "nicht bestanden" in html and "läuft" in html
    assert f"{timezone.localtime(done):%d.%m.%Y %H:%M}" in html


def test_time_taken_is_shown_in_minutes_and_seconds(cohort, course):
    from workspace.participants import SittingRecord

    (enrollment,) = enroll_many(cohort, 1)
    sitting = make_sitting(
        enrollment=enrollment, module_id=course_module_ids(course)[0], quiz=make_workspace_quiz()
    )
    sitting.finished_at = sitting.started_at + timedelta(minutes=12, seconds=5)

    assert SittingRecord(sitting=sitting, module_title="").duration_text == "12 min 05 s"


def test_the_sitting_page_shows_questions_answers_and_the_correct_answers(
    trainer_client, cohort, course
):
    # given a sitting with an answer to each question of the quiz revision
    (enrollment,) = enroll_many(cohort, 1)
    quiz = make_workspace_quiz()
    revision_blocks = list(quiz.latest_revision.as_object().questions)
    choice, true_false, essay = (b.id for b in revision_blocks)
    sitting = make_sitting(
        enrollment=enrollment,
        module_id=course_module_ids(course)[0],
        quiz=quiz,
        question_order=[choice, true_false, essay],
        answers={
            choice: {"selected": [1], "points": 0},
            true_false: True,
            essay: {"text": "Ich erkläre es am Schalter.", "points": 3, "feedback": "Gut."},
        },
    )
    # when
    response = trainer_client.get(
        reverse("training_workspace:sitting", args=[cohort.pk, enrollment.pk, sitting.pk])
    )
    # then
    answers = response.context["answers"]
    assert [(a.question, a.answer, a.correct_answer, a.points) for a in answers] == [
        ("Welche Antwort stimmt?", "Jene", "Diese", 0),
        ("Die Verwaltung wird digital.", "richtig", "richtig", None),
        ("Beschreiben Sie einen Fall.", "Ich erkläre es am Schalter.", "", 3),
    ]
    assert "Gut." in response.content.decode()


def test_answers_given_by_option_id_are_named(cohort, course):
    (enrollment,) = enroll_many(cohort, 1)
    quiz = make_workspace_quiz()
    choice = list(quiz.latest_revision.as_object().questions)[0]
    option_ids = [o.id for o in choice.value["answers"].bound_blocks]
    sitting = make_sitting(
        enrollment=enrollment,
        module_id=course_module_ids(course)[0],
        quiz=quiz,
        question_order=[choice.id],
        answers={choice.id: option_ids[0]},
    )

    (answer,) = sitting_answers(sitting)

    assert answer.answer == "Diese"
