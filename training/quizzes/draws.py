"""Which questions an attempt gets, and in which order: a pure function of the pool and a
random source, so tests can pass a seeded ``random.Random``."""

from __future__ import annotations

import random
from collections.abc import Sequence


def draw_questions(
    pool: Sequence[tuple[str, str]],
    *,
    max_questions: int | None = None,
    per_category: int | None = None,
    random_order: bool = False,
    rng: random.Random,
) -> list[str]:
    """Returns the question ids of one attempt.

    ``pool`` is the quiz's questions as ``(id, category)`` in authored order. With
    ``per_category``, that many questions are drawn from each category (questions without a
    category form one group); then, with ``max_questions``, that many are drawn from the result.
    Drawn questions keep their authored order unless ``random_order`` shuffles them.
    """
    index = {qid: i for i, (qid, _) in enumerate(pool)}
    chosen = [qid for qid, _ in pool]
    if per_category:
        groups: dict[str, list[str]] = {}
        for qid, category in pool:
            groups.setdefault(category.strip().casefold(), []).append(qid)
        chosen = []
        for ids in groups.values():
            chosen.extend(rng.sample(ids, min(per_category, len(ids))))
    if max_questions and max_questions < len(chosen):
        chosen = rng.sample(chosen, max_questions)
    chosen.sort(key=index.__getitem__)
    if random_order:
        rng.shuffle(chosen)
    return chosen
