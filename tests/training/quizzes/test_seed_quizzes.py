"""The demo course's quizzes, as seed_demo loads them."""

from collections import Counter

from cms.models import ModulePage
from training.models import CourseRules, Enrollment, Quiz
from training.quizzes.questions import quiz_questions
from training.quizzes.selectors import module_quiz


def test_every_demo_module_has_a_live_quiz_of_at_least_five_mixed_questions(demo):
    kinds = Counter()
    for module in ModulePage.objects.live():
        quiz = module_quiz(module.pk)
        assert quiz is not None, module.title
        questions = quiz_questions(quiz.live_revision.as_object())
        assert len(questions) >= 5, module.title
        assert len({q.kind for q in questions.values()}) >= 3, module.title
        kinds.update(q.kind for q in questions.values())
    assert kinds["essay"] >= 1
    assert kinds["multiple_choice"] >= 1 and kinds["true_false"] >= 1


def test_every_demo_quiz_passes_the_authoring_validation(demo):
    exam = CourseRules.objects.get(course=demo["course"]).final_exam
    for quiz in Quiz.objects.all():
        quiz.full_clean()
        # a module's quiz belongs to its competence area; the final exam spans all three
        assert quiz.category in {
            "fachkompetenz",
            "personale_kompetenz",
            "sozial_kommunikative_kompetenz",
        } or (quiz == exam and quiz.category == "")
        assert quiz.success_text and quiz.fail_text


def test_the_demo_final_exam_draws_20_of_42_questions_per_section(demo):
    # given the demo course's final exam
    exam = CourseRules.objects.get(course=demo["course"]).final_exam
    questions = quiz_questions(exam.live_revision.as_object())
    # then its pool has 42 questions, 14 per section, and an attempt draws 7 per section,
    # then 20, within a time limit and a limited number of attempts
    assert Counter(q.category for q in questions.values()) == {
        "Digitale Service-Expertise": 14,
        "Digitales Service-Mindset": 14,
        "Bürgerinteraktion 4.0": 14,
    }
    assert (exam.questions_per_category, exam.max_questions) == (7, 20)
    assert exam.time_limit_minutes and exam.max_attempts


def test_the_demo_shows_off_options_beyond_the_defaults(demo):
    exam = Quiz.objects.get(title__contains="Datenschutz")
    assert (exam.answers_at_end, exam.max_attempts, exam.time_limit_minutes) == (True, 3, 30)
    assert Quiz.objects.filter(one_question_per_page=False).count() == 1


def test_the_demo_participant_is_enrolled_in_the_demo_cohort(demo):
    enrollment = Enrollment.objects.get(user=demo["participant"])
    assert enrollment.cohort.name == "Einwohnerdienste 2026"
    assert enrollment.course == demo["course"]
