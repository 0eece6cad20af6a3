"""Regrade (issue 13, defect 7): the course lead corrects a faulty question of a quiz revision
after the fact. Every affected attempt is rescored, and an attempt that now passes completes the
module, the course and issues the certificate through the same services as a new pass."""

import json

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEntry
from certificates.models import Certificate
from tests.conftest import wait_for
from tests.factories import (
    UserFactory,
    enroll,
    make_course,
    make_quiz,
    place_quiz,
    single_choice,
    user_in_group,
)
from tests.training.conftest import answer_current, form_of, start
from training.models import Enrollment, ModuleProgress, QuestionRegrade
from training.quizzes import regrade

# s1 is the faulty question: "s1-wrong" is in truth right as well. Two points to pass (100 %).
QUESTIONS = [single_choice("s1"), single_choice("s2")]


def regrade_url(quiz, question_id="s1"):
    return reverse("training_workspace:regrade", args=[quiz.pk, question_id])


@pytest.fixture
def course_world(db):
    course, _section, (module,) = make_course(modules=1)
    quiz = make_quiz(questions=QUESTIONS, pass_mark=100)
    module = place_quiz(module, quiz)
    return course, module, quiz


def fail_on_faulty_question(client, user, course, module):
    """The participant reads the module and answers s2 right and s1 with the 'wrong' option."""
    enrollment = enroll(user, course)
    client.force_login(user)
    assert client.post(reverse("training:mark_read", args=[module.pk])).status_code == 302
    sitting = start(client, module)
    for _ in range(2):
        question = form_of(client, sitting)["question"]
        values = ["s1-wrong"] if question == "s1" else ["s2-right"]
        response, _form = answer_current(client, sitting, values)
        assert response.status_code == 302
    sitting.refresh_from_db()
    assert sitting.complete and sitting.passed is False
    client.logout()
    return enrollment, sitting


def lead_client(client):
    lead = user_in_group("Kursleitung", username="leitung")
    client.force_login(lead)
    return client, lead


def post_regrade(client, quiz, sitting):
    """The lead confirms: "s1-wrong" counts as right as well, in the attempt's revision."""
    data = {"revision": sitting.quiz_revision_id, "kind": "accept_option", "option": "s1-wrong"}
    return client.post(regrade_url(quiz), data)


def test_a_participant_failing_only_on_a_faulty_question_passes_after_the_regrade(
    client, course_world
):
    # given a participant who failed only because s1's other right answer was marked wrong
    course, module, quiz = course_world
    enrollment, sitting = fail_on_faulty_question(client, UserFactory(), course, module)
    client, lead = lead_client(client)
    # when the course lead opens the confirmation page and confirms
    page = client.get(
        regrade_url(quiz),
        {"revision": sitting.quiz_revision_id, "kind": "accept_option", "option": "s1-wrong"},
    )
    assert page.status_code == 200
    assert "1 abgeschlossener Versuch ist betroffen" in page.content.decode()
    response = post_regrade(client, quiz, sitting)
    # then the attempt passes, the module and the course are complete, and it was audited
    assert response.status_code == 302
    sitting.refresh_from_db()
    assert (sitting.score, sitting.passed, sitting.percent) == (2, True, 100)
    progress = ModuleProgress.objects.get(enrollment=enrollment, module=module)
    assert progress.quiz_passed_at is not None and progress.completed_at is not None
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None
    entry = AuditEntry.objects.get(action=AuditAction.QUIZ_REGRADED)
    assert entry.actor == lead
    assert entry.details == {
        "quiz": quiz.pk,
        "revision": sitting.quiz_revision_id,
        "question": "s1",
        "kind": "accept_option",
        "option": "s1-wrong",
        "sittings_rescored": 1,
        "newly_passed": 1,
    }


def test_the_trainers_attempt_page_shows_the_regrade(client, course_world):
    # given a regraded attempt
    course, module, quiz = course_world
    enrollment, sitting = fail_on_faulty_question(client, UserFactory(), course, module)
    client, _lead = lead_client(client)
    post_regrade(client, quiz, sitting)
    # when the course lead opens the attempt
    page = client.get(
        reverse(
            "training_workspace:sitting",
            args=[enrollment.cohort_id, enrollment.pk, sitting.pk],
        )
    ).content.decode()
    # then it says that question 1 or 2 (s1's place in the attempt) was regraded
    number = sitting.question_order.index("s1") + 1
    assert "Neu bewertet:" in page
    assert f"Frage {number} am" in page


def test_a_later_attempt_on_the_regraded_revision_is_scored_with_the_regrade(client, course_world):
    # given the regrade of s1 in the live revision
    course, module, quiz = course_world
    _enrollment, sitting = fail_on_faulty_question(client, UserFactory(), course, module)
    client, _lead = lead_client(client)
    post_regrade(client, quiz, sitting)
    client.logout()
    # when another participant answers the same way afterwards
    other = UserFactory()
    enroll(other, course)
    client.force_login(other)
    later = start(client, module)
    for _ in range(2):
        question = form_of(client, later)["question"]
        answer_current(client, later, ["s1-wrong"] if question == "s1" else ["s2-right"])
    later.refresh_from_db()
    # then they pass: the stored regrade applies to new attempts on that revision
    assert later.quiz_revision_id == sitting.quiz_revision_id
    assert (later.score, later.passed) == (2, True)


def test_a_trainer_is_refused_with_a_german_message(client, course_world):
    # given a failed attempt and an ordinary trainer
    course, module, quiz = course_world
    _enrollment, sitting = fail_on_faulty_question(client, UserFactory(), course, module)
    trainer = user_in_group("Trainer:innen", username="trainerin")
    client.force_login(trainer)
    # when the trainer opens the page and posts the regrade
    page = client.get(regrade_url(quiz))
    response = post_regrade(client, quiz, sitting)
    # then both are refused (403, German) and nothing changed
    assert page.status_code == 403 and response.status_code == 403
    assert str(regrade.NOT_ALLOWED) in response.content.decode()
    sitting.refresh_from_db()
    assert sitting.passed is False
    assert not QuestionRegrade.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.QUIZ_REGRADED).exists()


def test_a_question_not_in_the_revision_or_a_bad_option_is_refused(client, course_world):
    # given a failed attempt
    course, module, quiz = course_world
    _enrollment, sitting = fail_on_faulty_question(client, UserFactory(), course, module)
    client, _lead = lead_client(client)
    rev = sitting.quiz_revision_id
    # when the lead posts an unknown question, another quiz's revision, an unknown option,
    # an option that is already right and an unknown kind
    cases = [
        (regrade_url(quiz, "x9"), {"revision": rev, "kind": "full_credit"}, 404),
        (regrade_url(quiz), {"revision": 10**9, "kind": "full_credit"}, 404),
        (regrade_url(quiz), {"revision": "abc", "kind": "full_credit"}, 404),
        (regrade_url(quiz), {"revision": rev, "kind": "accept_option", "option": "zz"}, 400),
        (regrade_url(quiz), {"revision": rev, "kind": "accept_option", "option": "s1-right"}, 400),
        (regrade_url(quiz), {"revision": rev, "kind": "alles"}, 400),
    ]
    statuses = [client.post(url, data).status_code for url, data, _ in cases]
    page = client.post(cases[0][0], cases[0][1]).content.decode()
    # then each is refused with its German message and nothing changed
    assert statuses == [status for _, _, status in cases]
    assert str(regrade.QUESTION_NOT_IN_REVISION) in page
    sitting.refresh_from_db()
    assert sitting.passed is False
    assert not QuestionRegrade.objects.exists()


def test_repeating_the_regrade_changes_nothing_and_writes_no_second_audit_entry(
    client, course_world
):
    # given an applied regrade
    course, module, quiz = course_world
    enrollment, sitting = fail_on_faulty_question(client, UserFactory(), course, module)
    client, _lead = lead_client(client)
    post_regrade(client, quiz, sitting)
    sitting.refresh_from_db()
    enrollment.refresh_from_db()
    before = (sitting.score, sitting.passed, enrollment.completed_at)
    # when the same regrade is confirmed again
    response = client.post(
        regrade_url(quiz),
        {"revision": sitting.quiz_revision_id, "kind": "accept_option", "option": "s1-wrong"},
        follow=True,
    )
    # then nothing changed, one audit entry and one stored regrade, and the lead is told
    assert "Nichts zu ändern" in response.content.decode()
    sitting.refresh_from_db()
    enrollment.refresh_from_db()
    assert (sitting.score, sitting.passed, enrollment.completed_at) == before
    assert AuditEntry.objects.filter(action=AuditAction.QUIZ_REGRADED).count() == 1
    assert QuestionRegrade.objects.count() == 1


def test_an_attempt_on_another_revision_is_untouched(client, course_world):
    # given an attempt on the first revision, then a new revision with the same question ids
    course, module, quiz = course_world
    _first_enrollment, old = fail_on_faulty_question(client, UserFactory(), course, module)
    quiz.questions = json.dumps(QUESTIONS)
    quiz.save_revision().publish()
    _enrollment, new = fail_on_faulty_question(client, UserFactory(), course, module)
    assert old.quiz_revision_id != new.quiz_revision_id
    client, _lead = lead_client(client)
    # when the lead gives full credit for s1 in the new revision only
    response = client.post(
        regrade_url(quiz), {"revision": new.quiz_revision_id, "kind": "full_credit"}
    )
    # then the new attempt passes and the old one keeps its score
    assert response.status_code == 302
    old.refresh_from_db()
    new.refresh_from_db()
    assert (new.score, new.passed) == (2, True)
    assert (old.score, old.passed) == (1, False)


def test_an_unenrolled_person_is_rescored_but_not_completed(client, course_world):
    # given a failed attempt of a person who was unenrolled since
    course, module, quiz = course_world
    enrollment, sitting = fail_on_faulty_question(client, UserFactory(), course, module)
    Enrollment.objects.filter(pk=enrollment.pk).update(unenrolled_at=sitting.finished_at)
    client, _lead = lead_client(client)
    # when the regrade is applied
    post_regrade(client, quiz, sitting)
    # then the attempt's score is right, but neither module nor course completes
    sitting.refresh_from_db()
    assert sitting.passed is True
    enrollment.refresh_from_db()
    assert enrollment.completed_at is None
    progress = ModuleProgress.objects.get(enrollment=enrollment, module=module)
    assert progress.completed_at is None
    assert not Certificate.objects.exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_regrade_issues_the_certificate_through_the_real_worker(
    client, restorable_database, celery_worker
):
    # given a participant whose only module fails only on the faulty question
    course, _section, (module,) = make_course(modules=1)
    quiz = make_quiz(questions=QUESTIONS, pass_mark=100)
    module = place_quiz(module, quiz)
    enrollment, sitting = fail_on_faulty_question(client, UserFactory(), course, module)
    assert not Certificate.objects.exists()
    client, _lead = lead_client(client)
    # when the course lead accepts the other answer
    assert post_regrade(client, quiz, sitting).status_code == 302
    # then the worker issues the certificate of the completed enrollment
    certificate = wait_for(
        lambda: Certificate.objects.filter(enrollment=enrollment).first(), timeout=30
    )
    assert certificate.enrollment_id == enrollment.pk


def test_the_statistics_offer_neu_bewerten_to_the_course_lead_only(client, course_world):
    # given a finished attempt at the quiz, seen in the statistics of its cohort
    course, module, quiz = course_world
    enrollment, _sitting = fail_on_faulty_question(client, UserFactory(), course, module)
    statistics = reverse("training_workspace:quiz_statistics", args=[enrollment.cohort_id, quiz.pk])
    link = regrade_url(quiz)
    # when the course lead and a trainer of the cohort open them
    client, _lead = lead_client(client)
    as_lead = client.get(statistics).content.decode()
    trainer = user_in_group("Trainer:innen", username="trainerin")
    enrollment.cohort.trainers.add(trainer)
    client.force_login(trainer)
    as_trainer = client.get(statistics)
    # then only the course lead finds the button «Neu bewerten» for each question
    assert f'href="{link}"' in as_lead
    assert as_trainer.status_code == 200
    assert "Neu bewerten" not in as_trainer.content.decode()
    # and the lead's button leads to the choice of the kind of regrade for the one revision
    form = client.get(link)
    assert form.status_code == 403
    client.force_login(_lead)
    page = client.get(link).content.decode()
    assert "Volle Punktzahl für alle" in page and 'value="s1-wrong"' in page
