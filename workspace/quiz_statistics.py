"""Quiz statistics for trainers, as Moodle's quiz statistics show them per question: how many
attempts answered it, the facility index (the mean share of its points earned) and how often each
answer was chosen, so a trainer spots questions that mislead. Grouped across quiz revisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Count, Q
from wagtail.models import Revision

from training.models import Cohort, Quiz, Sitting
from training.quizzes import scoring
from training.quizzes.questions import QuizQuestion, quiz_questions
from training.quizzes.selectors import in_cohorts
from workspace.participants import ANSWER_KEYS, is_truthy
from workspace.rows import SectionColumn

PERCENT_STEP = Decimal("0.1")
POINTS_STEP = Decimal("0.01")


def _percent_of(fraction: Fraction) -> Decimal:
    """A fraction as a percentage with one decimal place, rounded half up (2/3 → 66.7)."""
    exact = Decimal(fraction.numerator * 100) / Decimal(fraction.denominator)
    return exact.quantize(PERCENT_STEP, rounding=ROUND_HALF_UP)


def _share_of(part: int, whole: int) -> Decimal | None:
    return _percent_of(Fraction(part, whole)) if whole else None


@dataclass
class OptionStatistic:
    id: str
    text: str
    correct: bool
    count: int = 0
    percent: Decimal | None = None  # of the attempts that answered the question
    removed: bool = False  # not an answer of the latest version any more


@dataclass
class QuestionStatistic:
    """One question (block id) over every quiz version the counted attempts ran on."""

    id: str
    number: int | None  # position in the latest version; None when removed since
    kind: str
    kind_label: str
    text: str  # as worded in the latest version that has the question
    points: Decimal
    options: list[OptionStatistic] = field(default_factory=list)
    drawn: int = 0  # attempts that showed it
    answered: int = 0
    full_marks: int = 0
    facility: Decimal | None = None  # mean share of the points earned, in %
    essays_marked: int = 0
    essays_pending: int = 0
    mean_points: Decimal | None = None  # essays: mean of the marks given
    # Worded, scored or keyed differently in the attempts counted, or than shown here.
    changed: bool = False
    # Accumulators while the attempts stream by.
    _earned: Fraction = field(default=Fraction(0), repr=False)
    _scored: int = field(default=0, repr=False)
    _marks: Decimal = field(default=Decimal(0), repr=False)
    _versions: set = field(default_factory=set, repr=False)

    @property
    def removed(self) -> bool:
        return self.number is None

    @property
    def points_count(self) -> int | Decimal:
        """The points as a whole number where they are one (for singular and plural)."""
        return int(self.points) if self.points == int(self.points) else self.points

    @property
    def is_essay(self) -> bool:
        return self.kind == scoring.ESSAY

    @property
    def multiple(self) -> bool:
        return self.kind == scoring.MULTIPLE_CHOICE

    @property
    def misleading(self) -> bool:
        """A wrong answer was chosen more often than a correct one: worth a second look."""
        right = [o.count for o in self.options if o.correct]
        wrong = [o.count for o in self.options if not o.correct]
        return bool(right and wrong and max(wrong) > min(right))


@dataclass
class QuizStatistics:
    quiz: Quiz
    sittings: int  # finished attempts counted
    participants: int
    passed: int
    decided: int  # counted attempts with a result (not waiting for an essay mark)
    discarded: int  # finished attempts whose answers were not kept (not counted)
    questions: list[QuestionStatistic]


def _question_versions(quiz: Quiz, finished) -> dict[int, dict[str, QuizQuestion]]:
    """The questions of every revision the attempts ran on, and of the latest revision, newest
    first (one query; the revisions are read without touching their quiz)."""
    revisions = (
        Revision.objects.filter(
            Q(pk__in=finished.values("quiz_revision_id")) | Q(pk=quiz.latest_revision_id)
        )
        .order_by("-created_at", "-pk")
        .values_list("pk", "content")
    )
    return {
        pk: quiz_questions(Quiz.from_serializable_data(content, check_fks=False))
        for pk, content in revisions
    }


def _signature(question: QuizQuestion) -> tuple:
    return (
        question.text,
        question.points,
        tuple((o.id, o.text, o.correct) for o in question.options),
    )


def _label_questions(quiz: Quiz, versions) -> dict[str, QuestionStatistic]:
    """One entry per block id, worded as in the newest revision that has it: the latest
    revision's questions in its order, then removed ones (newest removal first)."""
    kinds = Quiz._meta.get_field("questions").stream_block.child_blocks
    latest = versions.get(quiz.latest_revision_id, {})
    labelled: dict[str, QuestionStatistic] = {}
    for questions in versions.values():
        for question in questions.values():
            stat = labelled.get(question.id)
            newest = stat is None
            if newest:
                kind = kinds.get(question.kind)
                stat = labelled[question.id] = QuestionStatistic(
                    id=question.id,
                    number=None,
                    kind=question.kind,
                    kind_label=str(kind.label) if kind else question.kind,
                    text=question.text,
                    points=question.points,
                )
                stat._versions.add(_signature(question))
            # Answers dropped since keep their counts, listed after the current ones.
            known = {o.id for o in stat.options}
            stat.options += [
                OptionStatistic(id=o.id, text=o.text, correct=o.correct, removed=not newest)
                for o in question.options
                if o.id not in known
            ]
    for number, question_id in enumerate(latest, start=1):
        labelled[question_id].number = number
    return labelled


def _response_of(raw):
    """(chosen values, points) of a stored answer. The quiz services store
    ``{"response": ..., "points": ...}``; older or imported rows are read as leniently as
    :func:`sitting_answers` reads them."""
    if isinstance(raw, dict):
        if "response" in raw:
            value = raw["response"]
        else:
            value = next((raw[key] for key in ANSWER_KEYS if key in raw), None)
        return value, raw.get("points", raw.get("score"))
    return raw, None


def _chosen_ids(question: QuizQuestion, value) -> set[str]:
    if value is None or value == "" or value == []:
        return set()
    values = value if isinstance(value, list | tuple) else [value]
    ids = [o.id for o in question.options]
    chosen = set()
    for item in values:
        if question.kind == scoring.TRUE_FALSE and not isinstance(item, str):
            chosen.add(scoring.TRUE if is_truthy(item) else scoring.FALSE)
        elif isinstance(item, int) and not isinstance(item, bool) and 0 <= item < len(ids):
            chosen.add(ids[item])  # an option given by its position
        elif str(item) in ids:
            chosen.add(str(item))
    return chosen


def _count_answer(stat: QuestionStatistic, question: QuizQuestion, raw) -> None:
    value, points = _response_of(raw)
    if value is None or value == "" or value == []:
        return
    stat.answered += 1
    if question.is_essay:
        if points is None:
            stat.essays_pending += 1
            return
        stat.essays_marked += 1
        points = Decimal(str(points))
        stat._marks += points
    else:
        chosen = _chosen_ids(question, value)
        options = {o.id: o for o in stat.options}
        for option_id in chosen:
            options[option_id].count += 1
        if points is None:
            points = scoring.score_response(question.for_scoring, tuple(sorted(chosen)))
        points = Decimal(str(points))
    if points >= question.points:
        stat.full_marks += 1
    stat._earned += Fraction(points) / Fraction(question.points) if question.points else 0
    stat._scored += 1


def quiz_statistics(*, quiz: Quiz, cohort_ids) -> QuizStatistics:
    """Per question of ``quiz``, over the finished attempts of participants in the cohorts
    ``cohort_ids`` (ids or a subquery; unenrolled participants' attempts count too): attempts
    that showed and answered it, the facility index, how often each answer was chosen (correct
    answers marked) and, for essays, how many are marked or pending and their mean points.

    Attempts are pinned to a quiz revision: questions are grouped by block id across revisions
    and worded as in the latest. Attempts whose answers were not kept (``exam_paper`` off) are
    counted apart. Two queries whatever the number of attempts: the revisions, then the
    attempts' answers, streamed and added up here.
    """
    finished = Sitting.objects.filter(quiz=quiz, complete=True).filter(in_cohorts(cohort_ids))
    versions = _question_versions(quiz, finished)
    stats = _label_questions(quiz, versions)
    people, counted, passed, decided, discarded = set(), 0, 0, 0, 0
    rows = finished.values_list(
        "quiz_revision_id", "user_id", "question_order", "answers", "answers_discarded", "passed"
    )
    for revision_id, user_id, order, answers, was_discarded, has_passed in rows.iterator(
        chunk_size=500
    ):
        if was_discarded:
            discarded += 1
            continue
        counted += 1
        people.add(user_id)
        if has_passed is not None:
            decided += 1
            passed += bool(has_passed)
        questions = versions.get(revision_id, {})
        answers = answers or {}
        for question_id in order or []:
            question = questions.get(question_id)
            if question is None:
                continue
            stat = stats[question_id]
            stat.drawn += 1
            stat._versions.add(_signature(question))
            if question_id in answers:
                _count_answer(stat, question, answers[question_id])
    for stat in stats.values():
        stat.changed = len(stat._versions) > 1
        for option in stat.options:
            option.percent = _share_of(option.count, stat.answered)
        if stat._scored:
            stat.facility = _percent_of(stat._earned / stat._scored)
        if stat.essays_marked:
            stat.mean_points = (stat._marks / stat.essays_marked).quantize(
                POINTS_STEP, rounding=ROUND_HALF_UP
            )
    questions = sorted(
        stats.values(), key=lambda s: (s.number is None, s.number or 0)
    )  # removed ones keep their (newest first) order
    return QuizStatistics(
        quiz=quiz,
        sittings=counted,
        participants=len(people),
        passed=passed,
        decided=decided,
        discarded=discarded,
        questions=questions,
    )


@dataclass(frozen=True)
class QuizLink:
    id: int
    title: str
    finished: int  # finished attempts in the cohort


def cohort_quizzes(*, cohort: Cohort, sections: list[SectionColumn]) -> list[QuizLink]:
    """The quizzes the cohort's participants have attempted, in the course's module order, with
    their finished attempts (one query)."""
    numbers = {m.id: m.number for s in sections for m in s.modules}
    quizzes: dict[int, list] = {}
    for quiz_id, title, module_id, finished in (
        Sitting.objects.filter(in_cohorts([cohort.pk]))
        .values("quiz_id", "quiz__title", "module_id")
        .annotate(finished=Count("pk", filter=Q(complete=True)))
        .values_list("quiz_id", "quiz__title", "module_id", "finished")
    ):
        entry = quizzes.setdefault(quiz_id, [title, len(numbers) + 1, 0])
        entry[1] = min(entry[1], numbers.get(module_id, len(numbers) + 1))
        entry[2] += finished
    ordered = sorted(quizzes.items(), key=lambda item: (item[1][1], item[1][0].casefold()))
    return [
        QuizLink(id=quiz_id, title=title, finished=finished)
        for quiz_id, (title, _number, finished) in ordered
    ]
