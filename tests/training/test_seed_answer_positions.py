"""The seeded quizzes in training/quizzes/content/ give no hint by position or length.

Per quiz, over its single- and multiple-choice questions (true/false and essays have no options
to arrange), as the answers stand in the file (the order "wie eingegeben" would show):

* **Position.** Each correct option at index ``i`` (0-based) of a question with ``n`` options
  has the relative position ``i / (n - 1)``: 0 = first, 1 = last. The quiz's *mean relative
  position* of correct options must lie between 0.25 and 0.75 (0.5 is what an unbiased order
  gives on average), and no single index may hold more than half of the correct answers of the
  quiz's single-choice questions (when it has at least three). A file that lists the right
  answer first (mean 0.0, one index holding all of them) fails both.
* **Length.** The *longest-share* is the fraction of the quiz's choice questions in which a
  correct option is strictly the longest text (by characters) among all options. It must be at
  most one half: "the longest one is right" must not be a winning strategy. Among
  multiple-choice questions with several correct options that share would rise by chance, so
  additionally every quiz must have at least one choice question whose longest option is wrong.
"""

from collections import Counter
from pathlib import Path

import pytest
import yaml

QUIZ_DIR = Path(__file__).resolve().parents[2] / "training" / "quizzes" / "content"
QUIZ_FILES = sorted(QUIZ_DIR.glob("*.yaml"))

MEAN_POSITION_RANGE = (0.25, 0.75)
MAX_SHARE_AT_ONE_INDEX = 0.5
MAX_LONGEST_SHARE = 0.5


def choice_questions(data: dict) -> list[dict]:
    return [q for q in data["questions"] if q["type"] in ("single_choice", "multiple_choice")]


def relative_positions(question: dict) -> list[float]:
    answers = question["answers"]
    last = len(answers) - 1
    return [i / last for i, a in enumerate(answers) if a.get("correct")]


def correct_is_strictly_longest(question: dict) -> bool:
    lengths = [len(a["text"]) for a in question["answers"]]
    longest = max(lengths)
    if lengths.count(longest) > 1:
        return False
    return bool(question["answers"][lengths.index(longest)].get("correct"))


def position_statistics(data: dict) -> tuple[float, float]:
    """(mean relative position of correct options, largest share of single-choice correct
    answers at one index)."""
    questions = choice_questions(data)
    positions = [p for q in questions for p in relative_positions(q)]
    single = [q for q in questions if q["type"] == "single_choice"]
    indexes = Counter(
        next(i for i, a in enumerate(q["answers"]) if a.get("correct")) for q in single
    )
    top_share = max(indexes.values()) / len(single) if len(single) >= 3 else 0.0
    return sum(positions) / len(positions), top_share


def longest_share(data: dict) -> float:
    questions = choice_questions(data)
    return sum(correct_is_strictly_longest(q) for q in questions) / len(questions)


def test_there_are_seeded_quizzes_with_choice_questions():
    assert len(QUIZ_FILES) >= 6
    assert all(choice_questions(yaml.safe_load(f.read_text(encoding="utf-8"))) for f in QUIZ_FILES)


@pytest.mark.parametrize("path", QUIZ_FILES, ids=lambda p: p.stem)
def test_correct_answers_do_not_cluster_in_one_position(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    mean, top_share = position_statistics(data)
    low, high = MEAN_POSITION_RANGE
    assert low <= mean <= high, f"{path.name}: mean relative position {mean:.2f}"
    assert top_share <= MAX_SHARE_AT_ONE_INDEX, f"{path.name}: {top_share:.0%} at one index"


@pytest.mark.parametrize("path", QUIZ_FILES, ids=lambda p: p.stem)
def test_correct_answers_are_not_systematically_the_longest(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    share = longest_share(data)
    assert share <= MAX_LONGEST_SHARE, f"{path.name}: correct is longest in {share:.0%}"
    assert not all(correct_is_strictly_longest(q) for q in choice_questions(data))


def test_the_statistics_catch_a_quiz_with_the_right_answer_first_and_longest():
    # given a quiz whose right answer is always first and longest
    question = {
        "type": "single_choice",
        "answers": [
            {"text": "Die ausführliche, richtige Antwort", "correct": True},
            {"text": "Kurz", "correct": False},
            {"text": "Falsch", "correct": False},
        ],
    }
    data = {"questions": [question] * 4}
    # then both statistics flag it
    assert position_statistics(data) == (0.0, 1.0)
    assert longest_share(data) == 1.0
