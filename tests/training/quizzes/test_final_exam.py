"""The final exam (Abschlussprüfung): drawn per category from a pool, opened once every
required module is complete, with limited attempts and a time limit the server enforces;
passing it completes the course, under the lock completion takes, and the certificate waits
for it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from certificates.services import issue_certificate
from tests.factories import (
    UserFactory,
    complete_modules,
    enroll,
    make_course,
    make_quiz,
    true_false,
)
from tests.training.conftest import answer_current
from training import errors
from training.errors import NotFoundError, PermissionDeniedError, TimeLimitExceeded, TrainingError
from training.models import CourseRules, Sitting
from training.quizzes.exam import exam_overview, start_exam
from training.quizzes.services import sequence_token, submit_answer
from workspace.quiz_statistics import cohort_quizzes, quiz_statistics

CATEGORIES = ("Expertise", "Mindset", "Interaktion")


def pool(per_category=4):
    return [
        true_false(f"t{c}{i}", f"Aussage {c}.{i}", correct=True, category=category)
        for c, category in enumerate(CATEGORIES)
        for i in range(per_category)
    ]


@pytest.fixture
def exam_world(db):
    course, section, modules = make_course(modules=2)
    exam = make_quiz(
        title="Abschlussprüfung",
        questions=pool(),
        questions_per_category=2,
        max_questions=5,
        random_order=True,
        max_attempts=2,
        time_limit_minutes=45,
        pass_mark=70,
    )
    CourseRules.objects.create(course=course, final_exam=exam)
    participant = UserFactory(username="pruefling")
    enrollment = enroll(participant, course)
    return {
        "course": course,
        "section": section,
        "modules": modules,
        "exam": exam,
        "participant": participant,
        "enrollment": enrollment,
    }


def answer_all(sitting, user, value):
    for qid in list(sitting.question_order):
        sitting = Sitting.objects.get(pk=sitting.pk)
        if sitting.complete:
            break
        sitting = submit_answer(
            user=user,
            sitting_id=sitting.pk,
            question_id=qid,
            token=sequence_token(sitting, qid),
            values=[value],
        )
    return Sitting.objects.get(pk=sitting.pk)


def test_the_exam_is_locked_until_every_required_module_is_complete(exam_world):
    # given a participant with one of two modules complete
    complete_modules(exam_world["enrollment"], exam_world["modules"][:1])
    # when they try to start the exam
    with pytest.raises(PermissionDeniedError) as refused:
        start_exam(user=exam_world["participant"], course_id=exam_world["course"].pk)
    # then it is refused with the German message and no attempt exists
    assert refused.value.message == errors.EXAM_LOCKED
    assert not Sitting.objects.filter(quiz=exam_world["exam"]).exists()


def test_modules_alone_do_not_complete_a_course_with_a_final_exam(exam_world):
    # given every module complete
    complete_modules(exam_world["enrollment"], exam_world["modules"])
    # then the course is not complete: the exam is open
    enrollment = exam_world["enrollment"]
    enrollment.refresh_from_db()
    assert enrollment.completed_at is None
    overview = exam_overview(enrollment)
    assert overview.unlocked and overview.can_start and not overview.completion.complete


def test_an_attempt_draws_per_category_then_the_total(exam_world):
    # given every module complete
    complete_modules(exam_world["enrollment"], exam_world["modules"])
    # when the exam starts
    sitting = start_exam(user=exam_world["participant"], course_id=exam_world["course"].pk)
    # then 2 per category were drawn (6), then 5 of them; no category has more than 2
    assert len(sitting.question_order) == 5
    per_category = {c: 0 for c in range(3)}
    for qid in sitting.question_order:
        per_category[int(qid[1])] += 1
    assert max(per_category.values()) == 2 and sum(per_category.values()) == 5
    # and it is an exam attempt: no module, the enrollment, a deadline 45 minutes ahead
    assert sitting.module_id is None and sitting.enrollment_id == exam_world["enrollment"].pk
    assert timedelta(minutes=44) < sitting.deadline_at - timezone.now() <= timedelta(minutes=45)


def test_passing_the_exam_completes_the_course_and_announces_it_after_commit(
    exam_world, django_capture_on_commit_callbacks
):
    # given every module complete and the exam started
    enrollment = exam_world["enrollment"]
    complete_modules(enrollment, exam_world["modules"])
    sitting = start_exam(user=exam_world["participant"], course_id=exam_world["course"].pk)
    # when every answer is right
    with django_capture_on_commit_callbacks() as callbacks:
        sitting = answer_all(sitting, exam_world["participant"], "true")
    # then the attempt passed and the course is complete, announced after the commit
    assert sitting.passed is True
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None
    assert len(callbacks) == 1
    # and a new start is refused: the exam is passed
    with pytest.raises(TrainingError) as refused:
        start_exam(user=exam_world["participant"], course_id=exam_world["course"].pk)
    assert refused.value.message == errors.EXAM_ALREADY_PASSED


def test_attempts_are_limited(exam_world):
    # given every module complete and both allowed attempts failed
    complete_modules(exam_world["enrollment"], exam_world["modules"])
    user = exam_world["participant"]
    for _ in range(2):
        sitting = start_exam(user=user, course_id=exam_world["course"].pk)
        assert answer_all(sitting, user, "false").passed is False
    # when a third attempt is started
    with pytest.raises(PermissionDeniedError) as refused:
        start_exam(user=user, course_id=exam_world["course"].pk)
    # then it is refused and nothing is written
    assert refused.value.message == errors.NO_ATTEMPTS_LEFT
    assert Sitting.objects.filter(quiz=exam_world["exam"]).count() == 2
    exam_world["enrollment"].refresh_from_db()
    assert exam_world["enrollment"].completed_at is None


def test_an_answer_after_the_time_limit_is_refused_and_closes_the_attempt(exam_world):
    # given a started exam whose time ran out a minute ago
    complete_modules(exam_world["enrollment"], exam_world["modules"])
    user = exam_world["participant"]
    sitting = start_exam(user=user, course_id=exam_world["course"].pk)
    Sitting.objects.filter(pk=sitting.pk).update(deadline_at=timezone.now() - timedelta(minutes=1))
    sitting.refresh_from_db()
    qid = sitting.question_order[0]
    # when an answer arrives
    with pytest.raises(TimeLimitExceeded):
        submit_answer(
            user=user,
            sitting_id=sitting.pk,
            question_id=qid,
            token=sequence_token(sitting, qid),
            values=["true"],
        )
    # then it was not stored, and the attempt is closed, not passed, course not complete
    sitting.refresh_from_db()
    assert sitting.complete and sitting.timed_out and sitting.answers == {}
    assert sitting.passed is False
    exam_world["enrollment"].refresh_from_db()
    assert exam_world["enrollment"].completed_at is None


@pytest.mark.parametrize(
    ("course_id", "error", "message"),
    [
        ("other", PermissionDeniedError, errors.NOT_ENROLLED),
        ("x", NotFoundError, errors.EXAM_NOT_OFFERED),
        (999999, PermissionDeniedError, errors.NOT_ENROLLED),
    ],
)
def test_an_exam_of_a_course_one_is_not_enrolled_in_is_refused(
    exam_world, course_id, error, message
):
    # given another course with its own exam, in which the participant is not enrolled
    other, _section, _modules = make_course(modules=1, slug="anderer-kurs")
    CourseRules.objects.create(course=other, final_exam=make_quiz(questions=pool(1)))
    course_id = other.pk if course_id == "other" else course_id
    # when they try to start it (or a malformed or unknown course id)
    with pytest.raises(error) as refused:
        start_exam(user=exam_world["participant"], course_id=course_id)
    # then it is refused with the German message and nothing is written
    assert refused.value.message == message
    assert not Sitting.objects.exists()


def test_an_unenrolled_participant_cannot_start_it(exam_world):
    complete_modules(exam_world["enrollment"], exam_world["modules"])
    exam_world["enrollment"].unenrolled_at = timezone.now()
    exam_world["enrollment"].save()
    with pytest.raises(PermissionDeniedError) as refused:
        start_exam(user=exam_world["participant"], course_id=exam_world["course"].pk)
    assert refused.value.message == errors.ENROLLMENT_ENDED


def test_a_course_without_a_published_exam_offers_none(exam_world):
    complete_modules(exam_world["enrollment"], exam_world["modules"])
    exam_world["exam"].live = False
    exam_world["exam"].save()
    with pytest.raises(NotFoundError) as refused:
        start_exam(user=exam_world["participant"], course_id=exam_world["course"].pk)
    assert refused.value.message == errors.EXAM_NOT_OFFERED


def test_the_certificate_waits_for_the_exam_under_the_enrollment_lock(exam_world):
    # given an enrollment marked complete (e.g. before the course got its exam) without a
    # passed exam
    enrollment = exam_world["enrollment"]
    complete_modules(enrollment, exam_world["modules"])
    enrollment.completed_at = timezone.now()
    enrollment.save()
    # when the certificate task runs
    result = issue_certificate(enrollment_id=enrollment.pk)
    # then nothing is issued: the exam is checked again under the lock
    assert result.certificate is None


def test_the_exam_runs_through_the_participant_pages(exam_world, client):
    # given every module complete, logged in
    complete_modules(exam_world["enrollment"], exam_world["modules"])
    client.force_login(exam_world["participant"])
    # then Mein Lernstand offers the exam
    page = client.get(reverse("training:dashboard")).content.decode()
    assert "Abschlussprüfung starten" in page
    # when it is started from there and answered right
    response = client.post(reverse("training:start_exam", args=[exam_world["course"].pk]))
    assert response.status_code == 302
    sitting = Sitting.objects.get(quiz=exam_world["exam"])
    while not Sitting.objects.get(pk=sitting.pk).complete:
        answer_current(client, sitting, ["true"])
    # then the result page shows it passed and the dashboard the completed course
    result = client.get(reverse("training:result", args=[sitting.pk])).content.decode()
    assert "Bestanden" in result
    page = client.get(reverse("training:dashboard")).content.decode()
    assert "Kurs abgeschlossen am" in page
    # and a GET to the start address changes nothing
    assert (
        client.get(reverse("training:start_exam", args=[exam_world["course"].pk])).status_code
        == 405
    )


def test_the_locked_exam_answers_403_in_german(exam_world, client):
    client.force_login(exam_world["participant"])
    response = client.post(reverse("training:start_exam", args=[exam_world["course"].pk]))
    assert response.status_code == 403
    assert "freigeschaltet" in response.content.decode()


def test_trainers_see_the_exam_among_the_cohorts_quizzes_with_statistics(exam_world):
    # given one finished exam attempt
    complete_modules(exam_world["enrollment"], exam_world["modules"])
    sitting = start_exam(user=exam_world["participant"], course_id=exam_world["course"].pk)
    answer_all(sitting, exam_world["participant"], "true")
    cohort = exam_world["enrollment"].cohort
    # then the cohort's quiz list has it and its statistics count the attempt
    links = cohort_quizzes(cohort=cohort, sections=[])
    assert [(link.title, link.finished) for link in links] == [("Abschlussprüfung", 1)]
    statistics = quiz_statistics(quiz=exam_world["exam"], cohort_ids=[cohort.pk])
    assert (statistics.sittings, statistics.passed) == (1, 1)
