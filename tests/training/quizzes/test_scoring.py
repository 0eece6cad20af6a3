"""Scoring as pure functions: examples for each question kind and hypothesis properties."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from training.quizzes import scoring
from training.quizzes.scoring import (
    ESSAY,
    MULTIPLE_CHOICE,
    SINGLE_CHOICE,
    TRUE_FALSE,
    InvalidResponse,
    MultipleChoiceScoring,
    Question,
)


def mc(
    correct=("a", "b"), wrong=("c", "d"), points=2, mode=MultipleChoiceScoring.RIGHT_MINUS_WRONG
):
    return Question(
        id="m",
        kind=MULTIPLE_CHOICE,
        points=Decimal(points),
        options=(*correct, *wrong),
        correct=frozenset(correct),
        mc_scoring=mode,
    )


SC = Question(
    id="s", kind=SINGLE_CHOICE, points=Decimal(1), options=("x", "y", "z"), correct=frozenset("x")
)
TF = Question(
    id="t",
    kind=TRUE_FALSE,
    points=Decimal(1),
    options=(scoring.TRUE, scoring.FALSE),
    correct=frozenset({scoring.FALSE}),
)
ES = Question(id="e", kind=ESSAY, points=Decimal(4))


# --- parse_response ----------------------------------------------------------------------------


def test_a_single_choice_answer_must_be_exactly_one_known_option():
    assert scoring.parse_response(SC, ["y"]) == ("y",)
    for values, code in [
        ([], InvalidResponse.MISSING),
        ([""], InvalidResponse.MISSING),
        (["nope"], InvalidResponse.UNKNOWN_OPTION),
        (["x", "y"], InvalidResponse.TOO_MANY),
    ]:
        with pytest.raises(InvalidResponse) as error:
            scoring.parse_response(SC, values)
        assert error.value.code == code


def test_a_multiple_choice_answer_is_normalised_and_rejects_repeats_and_unknown_ids():
    question = mc()
    assert scoring.parse_response(question, ["c", "a"]) == ("a", "c")
    with pytest.raises(InvalidResponse) as error:
        scoring.parse_response(question, ["a", "a"])
    assert error.value.code == InvalidResponse.TOO_MANY
    with pytest.raises(InvalidResponse) as error:
        scoring.parse_response(question, ["a", "zzz"])
    assert error.value.code == InvalidResponse.UNKNOWN_OPTION


def test_an_essay_answer_is_stripped_text_that_is_neither_empty_nor_too_long():
    assert scoring.parse_response(ES, ["  Meine Antwort \n"]) == "Meine Antwort"
    with pytest.raises(InvalidResponse) as error:
        scoring.parse_response(ES, ["   "])
    assert error.value.code == InvalidResponse.MISSING
    with pytest.raises(InvalidResponse) as error:
        scoring.parse_response(ES, ["x" * (scoring.ESSAY_MAX_CHARS + 1)])
    assert error.value.code == InvalidResponse.TOO_LONG


# --- score_response ----------------------------------------------------------------------------


def test_single_choice_and_true_false_score_all_or_nothing():
    assert scoring.score_response(SC, ("x",)) == Decimal(1)
    assert scoring.score_response(SC, ("y",)) == Decimal(0)
    assert scoring.score_response(TF, (scoring.FALSE,)) == Decimal(1)
    assert scoring.score_response(TF, (scoring.TRUE,)) == Decimal(0)


def test_an_essay_has_no_automatic_score():
    assert scoring.score_response(ES, "Text") is None


@pytest.mark.parametrize(
    ("mode", "chosen", "expected"),
    [
        # right minus wrong, per correct answer (2 correct of 4, 2 points)
        (MultipleChoiceScoring.RIGHT_MINUS_WRONG, ("a", "b"), "2"),
        (MultipleChoiceScoring.RIGHT_MINUS_WRONG, ("a",), "1.00"),
        (MultipleChoiceScoring.RIGHT_MINUS_WRONG, ("a", "c"), "0"),
        (MultipleChoiceScoring.RIGHT_MINUS_WRONG, ("a", "b", "c"), "1.00"),
        (MultipleChoiceScoring.RIGHT_MINUS_WRONG, ("a", "b", "c", "d"), "0"),
        # per option: each of the 4 options judged right earns a quarter
        (MultipleChoiceScoring.PER_OPTION, ("a", "b"), "2"),
        (MultipleChoiceScoring.PER_OPTION, ("a",), "1.50"),
        (MultipleChoiceScoring.PER_OPTION, ("a", "c"), "1.00"),
        (MultipleChoiceScoring.PER_OPTION, ("c", "d"), "0"),
        # all or nothing
        (MultipleChoiceScoring.ALL_OR_NOTHING, ("a", "b"), "2"),
        (MultipleChoiceScoring.ALL_OR_NOTHING, ("a",), "0"),
        (MultipleChoiceScoring.ALL_OR_NOTHING, ("a", "b", "c"), "0"),
    ],
)
def test_multiple_choice_partial_credit_follows_the_configured_mode(mode, chosen, expected):
    assert scoring.score_response(mc(mode=mode), chosen) == Decimal(expected)


def test_a_third_of_the_points_is_rounded_down_to_the_cent():
    question = mc(correct=("a", "b", "c"), wrong=("d",), points=1)
    assert scoring.score_response(question, ("a",)) == Decimal("0.33")


# --- score_sitting, pass mark, percent -----------------------------------------------------------


def test_a_sitting_adds_up_answers_and_keeps_unmarked_essays_pending():
    # given three scored questions and one essay
    questions = [SC, TF, mc(), ES]
    responses = {"s": ("x",), "t": (scoring.TRUE,), "m": ("a",), "e": "Text"}
    # when it is scored without and then with a mark for the essay
    pending = scoring.score_sitting(questions, responses)
    marked = scoring.score_sitting(questions, responses, {"e": Decimal("3.5")})
    # then the essay is pending first and counts once marked
    assert (pending.score, pending.max_score, pending.pending) == (Decimal(2), Decimal(8), ("e",))
    assert (marked.score, marked.pending) == (Decimal("5.5"), ())


def test_unanswered_questions_score_nothing_but_count_towards_the_maximum():
    result = scoring.score_sitting([SC, TF], {"s": ("x",)})
    assert (result.score, result.max_score, result.needs_marking) == (1, 2, False)


def test_percentages_round_half_up():
    assert scoring.percent(4, 6) == 67
    assert scoring.percent(1, 8) == 13
    assert scoring.percent(Decimal("0.5"), 100) == 1
    assert scoring.percent(Decimal("0.49"), 100) == 0
    assert scoring.percent(0, 0) == 0


def test_pass_mark_is_reached_exactly_without_rounding():
    assert scoring.has_passed(Decimal(3), Decimal(5), 60) is True
    assert scoring.has_passed(Decimal("2.99"), Decimal(5), 60) is False
    # the shown percentage rounds half up (59.8 → 60), the pass decision does not
    assert scoring.percent(Decimal("2.99"), Decimal(5)) == 60
    assert scoring.has_passed(Decimal(0), Decimal(0), 60) is True


# --- Properties --------------------------------------------------------------------------------

option_ids = st.lists(
    st.text(alphabet="abcdefghijklmnop", min_size=1, max_size=4),
    min_size=2,
    max_size=6,
    unique=True,
)


@st.composite
def questions(draw, kinds=(SINGLE_CHOICE, MULTIPLE_CHOICE, TRUE_FALSE, ESSAY)):
    kind = draw(st.sampled_from(kinds))
    points = Decimal(draw(st.integers(min_value=1, max_value=10)))
    qid = draw(st.uuids()).hex
    if kind == ESSAY:
        return Question(id=qid, kind=kind, points=points)
    if kind == TRUE_FALSE:
        truth = draw(st.sampled_from([scoring.TRUE, scoring.FALSE]))
        return Question(
            id=qid,
            kind=kind,
            points=points,
            options=(scoring.TRUE, scoring.FALSE),
            correct=frozenset({truth}),
        )
    options = tuple(draw(option_ids))
    if kind == SINGLE_CHOICE:
        correct = frozenset({draw(st.sampled_from(options))})
    else:
        correct = frozenset(draw(st.lists(st.sampled_from(options), min_size=1, unique=True)))
    return Question(
        id=qid,
        kind=kind,
        points=points,
        options=options,
        correct=correct,
        mc_scoring=draw(st.sampled_from(list(MultipleChoiceScoring))),
    )


@st.composite
def answered(draw, kinds=(SINGLE_CHOICE, MULTIPLE_CHOICE, TRUE_FALSE)):
    """A question and a valid posted answer to it (as the list of values a form sends)."""
    question = draw(questions(kinds))
    if question.kind == MULTIPLE_CHOICE:
        values = draw(st.lists(st.sampled_from(question.options), min_size=1, unique=True))
    else:
        values = [draw(st.sampled_from(question.options))]
    return question, values


@given(answered())
def test_property_a_response_scores_between_zero_and_the_questions_points(case):
    question, values = case
    earned = scoring.score_response(question, scoring.parse_response(question, values))
    assert Decimal(0) <= earned <= question.points


@given(answered(kinds=(MULTIPLE_CHOICE,)), st.randoms(use_true_random=False))
def test_property_the_order_of_ticked_answers_does_not_change_the_score(case, rnd):
    question, values = case
    shuffled = list(values)
    rnd.shuffle(shuffled)
    assert scoring.score_response(
        question, scoring.parse_response(question, values)
    ) == scoring.score_response(question, scoring.parse_response(question, shuffled))


def _all_correct(question):
    if question.kind == ESSAY:
        return "Antwort"
    return tuple(sorted(question.correct))


@given(st.lists(questions(), min_size=1, max_size=8, unique_by=lambda q: q.id))
def test_property_all_correct_answers_score_the_maximum(qs):
    responses = {q.id: _all_correct(q) for q in qs}
    marks = {q.id: q.points for q in qs if q.kind == ESSAY}
    result = scoring.score_sitting(qs, responses, marks)
    assert result.score == result.max_score == sum(q.points for q in qs)
    assert not result.needs_marking


@given(
    st.lists(answered(), min_size=1, max_size=8, unique_by=lambda case: case[0].id),
    st.randoms(use_true_random=False),
)
def test_property_a_sitting_scores_within_bounds_whatever_the_order_of_questions(cases, rnd):
    qs = [q for q, _ in cases]
    responses = {q.id: scoring.parse_response(q, values) for q, values in cases}
    result = scoring.score_sitting(qs, responses)
    reordered = list(qs)
    rnd.shuffle(reordered)
    again = scoring.score_sitting(reordered, dict(reversed(list(responses.items()))))
    assert Decimal(0) <= result.score <= result.max_score
    assert (again.score, again.max_score) == (result.score, result.max_score)


@given(questions(kinds=(ESSAY,)), st.decimals(allow_nan=False, allow_infinity=False, places=2))
def test_property_an_essay_mark_never_leaves_zero_to_max(question, mark):
    result = scoring.score_sitting([question], {question.id: "Text"}, {question.id: mark})
    assert Decimal(0) <= result.score <= result.max_score
