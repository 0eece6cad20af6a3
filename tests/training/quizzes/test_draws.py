"""Which questions an attempt gets: a pure function of the pool and a seeded random source."""

import random
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from training.quizzes.draws import draw_questions

POOL = [("a1", "A"), ("a2", "A"), ("a3", "A"), ("b1", "B"), ("b2", "B"), ("x", "")]


def test_without_options_every_question_comes_in_authored_order():
    assert draw_questions(POOL, rng=random.Random(1)) == ["a1", "a2", "a3", "b1", "b2", "x"]


def test_max_questions_draws_that_many_from_the_pool_in_authored_order():
    drawn = draw_questions(POOL, max_questions=3, rng=random.Random(7))
    assert len(drawn) == 3
    assert drawn == sorted(drawn, key=[q for q, _ in POOL].index)
    # and different seeds draw different subsets from the larger pool
    subsets = {
        tuple(draw_questions(POOL, max_questions=3, rng=random.Random(s))) for s in range(30)
    }
    assert len(subsets) > 1


def test_per_category_draws_that_many_of_each_category():
    drawn = draw_questions(POOL, per_category=1, rng=random.Random(3))
    categories = Counter(dict(POOL)[q] for q in drawn)
    assert categories == Counter({"A": 1, "B": 1, "": 1})


def test_per_category_then_max_questions_caps_the_total():
    drawn = draw_questions(POOL, per_category=2, max_questions=4, rng=random.Random(5))
    assert len(drawn) == 4
    assert max(Counter(dict(POOL)[q] for q in drawn).values()) <= 2


def test_random_order_shuffles_but_keeps_the_questions():
    orders = {
        tuple(draw_questions(POOL, random_order=True, rng=random.Random(s))) for s in range(20)
    }
    assert len(orders) > 1
    assert all(sorted(order) == sorted(q for q, _ in POOL) for order in orders)


@given(
    st.integers(min_value=1, max_value=8),
    st.integers(min_value=1, max_value=4),
    st.booleans(),
    st.integers(),
)
def test_property_a_draw_never_repeats_or_invents_a_question(max_q, per_cat, shuffle, seed):
    drawn = draw_questions(
        POOL,
        max_questions=max_q,
        per_category=per_cat,
        random_order=shuffle,
        rng=random.Random(seed),
    )
    assert len(drawn) == len(set(drawn)) <= max_q
    assert set(drawn) <= {q for q, _ in POOL}
