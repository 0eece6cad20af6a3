"""Quiz statistics per question (as Moodle's): attempts that answered it, the facility index
and the distribution of the answers chosen, grouped by question across quiz revisions."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    course_module_ids,
    enroll_many,
    essay,
    make_quiz,
    multiple_choice,
    single_choice,
    true_false,
)
from training.models import Sitting
from training.quizzes import scoring
from training.quizzes.questions import quiz_questions
from workspace.quiz_statistics import quiz_statistics


def url(name, *args):
    return reverse(f"training_workspace:{name}", args=args)


@pytest.fixture
def quiz(db):
    """A quiz published twice: the second revision rewords m1 and drops x1."""
    first = [
        single_choice("s1"),
        multiple_choice("m1", "Welche Antworten stimmen?"),
        true_false("t1"),
        essay("e1"),
        single_choice("x1", "Eine alte Frage"),
    ]
    quiz = make_quiz(questions=first, title="Kontrolle Bürgerkontakt")
    quiz.questions = json.dumps(
        [
            single_choice("s1"),
            multiple_choice("m1", "Welche zwei Antworten stimmen?"),
            true_false("t1"),
            essay("e1"),
        ]
    )
    quiz.save_revision().publish()
    quiz.refresh_from_db()
    return quiz


def revisions(quiz):
    return list(quiz.revisions.order_by("pk"))


def answers(revision, responses, marks=None):
    """Answers as the quiz services store them, scored with the revision's questions."""
    questions = quiz_questions(revision.as_object())
    stored = {}
    for qid, response in responses.items():
        if isinstance(response, str):
            points = (marks or {}).get(qid)
        else:
            points = scoring.score_response(questions[qid].for_scoring, tuple(sorted(response)))
        stored[qid] = {"response": response, "points": None if points is None else str(points)}
    return stored


def _sit(quiz, enrollment, revision, responses, *, module_id, marks=None, **fields):
    values = {
        "complete": True,
        "finished_at": timezone.now(),
        "max_score": 10,
        "question_order": list(quiz_questions(revision.as_object())),
        "answers": answers(revision, responses, marks),
        **fields,
    }
    return Sitting.objects.create(
        user_id=enrollment.user_id,
        quiz=quiz,
        quiz_revision=revision,
        enrollment=enrollment,
        module_id=module_id,
        **values,
    )


@pytest.fixture
def seeded(quiz, cohort, other_cohort, course):
    """Four finished attempts in the cohort (two per revision), one still open, one whose paper
    was not kept, and one finished attempt in the other cohort."""
    first, second = revisions(quiz)
    people = enroll_many(cohort, 6)
    (stranger,) = enroll_many(other_cohort, 1, prefix="fremd")
    module_id = course_module_ids(course)[0]
    essay_text = "Ich höre zu und erkläre die nächsten Schritte."

    def sit(*args, **kwargs):
        return _sit(quiz, *args, module_id=module_id, **kwargs)

    sit(people[0], first, {"s1": ["s1-right"], "m1": ["m1-c1", "m1-c2"], "t1": ["true"],
        "e1": essay_text, "x1": ["x1-wrong"]}, marks={"e1": "3.00"}, passed=True)  # fmt: skip
    sit(people[1], first, {"s1": ["s1-wrong"], "m1": ["m1-c1"], "t1": ["false"],
        "e1": essay_text, "x1": ["x1-right"]}, passed=None, needs_marking=True)  # fmt: skip
    sit(people[2], second, {"s1": ["s1-right"], "m1": ["m1-c1", "m1-w1"], "t1": ["true"],
        "e1": essay_text}, marks={"e1": "4.00"}, passed=True)  # fmt: skip
    # timed out after two questions: t1 and e1 were shown but not answered
    sit(people[3], second, {"s1": ["s1-wrong"], "m1": ["m1-c2", "m1-w1", "m1-w2"]},
        passed=False, timed_out=True)  # fmt: skip
    sit(people[4], second, {"s1": ["s1-wrong"]}, complete=False, finished_at=None)
    sit(people[5], second, {}, answers_discarded=True, passed=True)
    sit(stranger, second, {"s1": ["s1-wrong"], "m1": ["m1-w1"], "t1": ["false"],
        "e1": essay_text}, passed=None, needs_marking=True)  # fmt: skip
    return quiz


def figures(statistics):
    return {
        q.id: {
            "number": q.number,
            "drawn": q.drawn,
            "answered": q.answered,
            "facility": q.facility,
            "full_marks": q.full_marks,
            "options": [(o.id, o.correct, o.count, o.percent) for o in q.options],
        }
        for q in statistics.questions
    }


def test_figures_per_question_are_exact_across_revisions(seeded, cohort):
    # when the statistics of the cohort's attempts are built
    statistics = quiz_statistics(quiz=seeded, cohort_ids=[cohort.pk])
    # then only the four finished attempts with answers count; the discarded one is reported
    assert (statistics.sittings, statistics.participants, statistics.discarded) == (4, 4, 1)
    assert (statistics.passed, statistics.decided) == (2, 3)
    # and every question has exact figures, in the latest revision's order, removed ones last
    assert [q.id for q in statistics.questions] == ["s1", "m1", "t1", "e1", "x1"]
    assert figures(statistics) == {
        "s1": {
            "number": 1,
            "drawn": 4,
            "answered": 4,
            "facility": Decimal("50.0"),
            "full_marks": 2,
            "options": [
                ("s1-right", True, 2, Decimal("50.0")),
                ("s1-wrong", False, 2, Decimal("50.0")),
            ],
        },
        # several correct answers: shares of the attempts answering (they add up to over 100 %)
        # and partial credit (right minus wrong): (2 + 1 + 0 + 0) / 2 points / 4 = 37.5 %
        "m1": {
            "number": 2,
            "drawn": 4,
            "answered": 4,
            "facility": Decimal("37.5"),
            "full_marks": 1,
            "options": [
                ("m1-c1", True, 3, Decimal("75.0")),
                ("m1-c2", True, 2, Decimal("50.0")),
                ("m1-w1", False, 2, Decimal("50.0")),
                ("m1-w2", False, 1, Decimal("25.0")),
            ],
        },
        "t1": {
            "number": 3,
            "drawn": 4,
            "answered": 3,
            "facility": Decimal("66.7"),
            "full_marks": 2,
            "options": [("true", True, 2, Decimal("66.7")), ("false", False, 1, Decimal("33.3"))],
        },
        # essays: the facility counts marked answers only: (3/4 + 4/4) / 2
        "e1": {
            "number": 4,
            "drawn": 4,
            "answered": 3,
            "facility": Decimal("87.5"),
            "full_marks": 1,
            "options": [],
        },
        "x1": {
            "number": None,
            "drawn": 2,
            "answered": 2,
            "facility": Decimal("50.0"),
            "full_marks": 1,
            "options": [
                ("x1-right", True, 1, Decimal("50.0")),
                ("x1-wrong", False, 1, Decimal("50.0")),
            ],
        },
    }
    by_id = {q.id: q for q in statistics.questions}
    essay_question = by_id["e1"]
    assert (essay_question.essays_marked, essay_question.essays_pending) == (2, 1)
    assert essay_question.mean_points == Decimal("3.50")
    # labelled by the latest wording, flagged as changed; the removed question by its own
    assert by_id["m1"].text == "Welche zwei Antworten stimmen?"
    assert (by_id["m1"].changed, by_id["s1"].changed) == (True, False)
    assert (by_id["x1"].text, by_id["x1"].removed) == ("Eine alte Frage", True)
    assert [q.misleading for q in statistics.questions] == [False] * 5


def test_all_cohorts_together_include_the_other_cohort(seeded, cohort, other_cohort):
    statistics = quiz_statistics(quiz=seeded, cohort_ids=[cohort.pk, other_cohort.pk])

    s1 = statistics.questions[0]
    assert statistics.sittings == 5
    assert (s1.answered, s1.facility) == (5, Decimal("40.0"))
    assert [(o.count, o.percent) for o in s1.options] == [
        (2, Decimal("40.0")),
        (3, Decimal("60.0")),
    ]
    # a wrong answer chosen more often than a right one is flagged
    assert s1.misleading is True
    assert statistics.questions[3].essays_pending == 2


def test_the_page_shows_the_distribution_as_table_and_bars(seeded, cohort, trainer_client):
    # when the trainer follows the link from the cohort report
    report = trainer_client.get(url("report", cohort.pk)).content.decode()
    link = url("quiz_statistics", cohort.pk, seeded.pk)
    assert f'href="{link}"' in report
    assert "Kontrolle Bürgerkontakt</a> (5 abgeschlossene Versuche)" in report
    response = trainer_client.get(link)
    # then every option shows its count, share and an accessible bar; correct ones are marked
    html = response.content.decode()
    assert response.status_code == 200
    assert "Frage 2: Welche zwei Antworten stimmen?" in html
    assert '<td class="ws-num">3</td>' in html
    assert "75,0 %" in html and "37,5 %" in html
    assert (
        '<progress max="100" value="75.0" aria-labelledby="o-m1-m1-c1 p-m1-m1-c1"></progress>'
        in html
    )
    assert '<tr class="ws-correct">' in html
    # essays: marked, pending and mean points
    assert "3,50 von 4" in html
    assert "Entfernte Frage: Eine alte Frage" in html
    # a trainer does not see the link to all cohorts
    assert url("quiz_statistics_all", seeded.pk) not in html


def test_a_trainer_of_another_cohort_gets_404(seeded, cohort, client, other_trainer):
    client.force_login(other_trainer)

    response = client.get(url("quiz_statistics", cohort.pk, seeded.pk))

    assert response.status_code == 404


def test_all_cohorts_are_for_course_leads_only(seeded, cohort, client, trainer_client, lead):
    assert trainer_client.get(url("quiz_statistics_all", seeded.pk)).status_code == 403
    client.force_login(lead)
    own = client.get(url("quiz_statistics", cohort.pk, seeded.pk))
    assert url("quiz_statistics_all", seeded.pk) in own.content.decode()
    response = client.get(url("quiz_statistics_all", seeded.pk))
    assert response.status_code == 200
    assert response.context["statistics"].sittings == 5


def test_an_unknown_quiz_gives_404(cohort, trainer_client):
    assert trainer_client.get(url("quiz_statistics", cohort.pk, 999999)).status_code == 404


def _many_sittings(quiz, cohort, course, count, *, prefix):
    revision = quiz.latest_revision
    stored = answers(
        revision,
        {"s1": ["s1-right"], "m1": ["m1-c1"], "t1": ["true"], "e1": "Antwort"},
        marks={"e1": "2.00"},
    )
    order = list(stored)
    Sitting.objects.bulk_create(
        Sitting(
            user_id=enrollment.user_id,
            quiz=quiz,
            quiz_revision=revision,
            enrollment=enrollment,
            module_id=course_module_ids(course)[0],
            question_order=order,
            answers=stored,
            complete=True,
            finished_at=timezone.now(),
            max_score=10,
        )
        for enrollment in enroll_many(cohort, count, prefix=prefix)
    )


def _page_queries(client, cohort, quiz):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("quiz_statistics", cohort.pk, quiz.pk))
    assert response.status_code == 200
    return len(queries), response.context["statistics"]


def test_the_page_needs_as_many_queries_for_many_attempts_as_for_few(
    quiz, cohort, course, trainer_client, django_assert_max_num_queries
):
    # given three finished attempts
    _many_sittings(quiz, cohort, course, 3, prefix="wenige")
    few, statistics = _page_queries(trainer_client, cohort, quiz)
    assert statistics.sittings == 3
    # when there are sixty more
    _many_sittings(quiz, cohort, course, 60, prefix="viele")
    # then the page runs exactly as many queries, and few
    many, statistics = _page_queries(trainer_client, cohort, quiz)
    assert statistics.sittings == 63
    assert statistics.questions[0].facility == Decimal("100.0")
    assert many == few
    with django_assert_max_num_queries(20):
        trainer_client.get(url("quiz_statistics", cohort.pk, quiz.pk))
