"""The seeded quizzes test competence and every part of every objective, and give nothing away.

* **Objectives.** Each module file lists its learning objectives with an ``id`` and, where an
  objective names several things, ``parts`` (words of its text). Each question names the
  objectives it tests (``objectives: [id]`` or ``[id/part]``). Every objective — and every part
  of it — is tested by at least one question of the module's quiz; every reference names an
  objective of that module. An objective with parts counts as tested only part by part.
* **Application.** At least half of each quiz's questions are ``level: anwenden``: a situation at
  the counter, on the phone or in the portal that asks what to do (at least 20 words, ending in
  a question or a task).
* **No giveaways.** Absolute wording ("immer", "nie", "alle" …) never marks a wrong option or a
  true/false statement; a single-choice question has at least three options and a
  multiple-choice question at least two wrong ones. (Position and length of the right answer:
  ``test_seed_answer_positions.py``.)
* **No near-duplicates** across the course: two questions' texts share at most 60 % of their
  words (Jaccard over words of four letters or more).
"""

import re
from itertools import combinations

import pytest

from cms.services import read_course
from training.quizzes.demo import read_quizzes

COURSE = read_course()
MODULES = {m["slug"]: m for s in COURSE["sections"] for m in s["modules"]}
QUIZZES = read_quizzes()
ABSOLUTE = re.compile(
    r"\b(immer|nie|niemals|stets|ausschließlich|alle|sämtliche|jede[rsnm]?|alle[nms]?|"
    r"in jedem Fall|auf keinen Fall|grundsätzlich nie)\b",
    re.IGNORECASE,
)
MIN_APPLICATION_SHARE = 0.5
MAX_WORD_OVERLAP = 0.6


def objective_targets(module: dict) -> set[str]:
    """What must be tested: each objective's id, or id/part for each of its parts."""
    targets = set()
    for objective in module["learning_objectives"]:
        parts = objective.get("parts") or []
        targets |= {f"{objective['id']}/{p}" for p in parts} or {objective["id"]}
    return targets


def targets_tested_by(quiz: dict, module: dict) -> set[str]:
    """What the questions test; a bare id counts for every part of that objective."""
    parts = {o["id"]: o.get("parts") or [] for o in module["learning_objectives"]}
    tested = set()
    for question in quiz["questions"]:
        for ref in question.get("objectives", []):
            objective = ref.split("/")[0]
            if "/" not in ref and parts.get(objective):
                tested |= {f"{objective}/{p}" for p in parts[objective]}
            else:
                tested.add(ref)
    return tested


def words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-zÄÖÜäöüß]{4,}", text)}


def test_every_module_has_a_quiz_and_objectives_with_ids():
    assert set(QUIZZES) == set(MODULES)
    ids = [o["id"] for m in MODULES.values() for o in m["learning_objectives"]]
    assert len(ids) == len(set(ids)), "objective ids must be unique across the course"
    for module in MODULES.values():
        for objective in module["learning_objectives"]:
            for part in objective.get("parts") or []:
                assert part.lower() in objective["text"].lower(), (objective["id"], part)


@pytest.mark.parametrize("slug", sorted(QUIZZES))
def test_every_part_of_every_objective_is_tested(slug):
    module, quiz = MODULES[slug], QUIZZES[slug]
    targets = objective_targets(module)
    ids = {o["id"] for o in module["learning_objectives"]}
    for question in quiz["questions"]:
        assert question.get("objectives"), f"{slug}: question without objective: {question['text']}"
        for ref in question["objectives"]:
            objective, _, part = ref.partition("/")
            assert objective in ids, f"{slug}: unknown objective {ref!r}"
            assert not part or ref in targets, f"{slug}: unknown part {ref!r}"
    untested = targets - targets_tested_by(quiz, module)
    assert not untested, f"{slug}: untested {sorted(untested)}"


def test_the_coverage_check_fails_on_an_untested_part():
    # given an objective with two parts, only one of them asked about
    module = {"learning_objectives": [{"id": "x", "text": "A und B", "parts": ["A", "B"]}]}
    quiz = {"questions": [{"objectives": ["x/A"]}]}
    # then the other part is reported, and a bare id covers both
    assert objective_targets(module) - targets_tested_by(quiz, module) == {"x/B"}
    assert objective_targets(module) <= targets_tested_by(
        {"questions": [{"objectives": ["x"]}]}, module
    )


@pytest.mark.parametrize("slug", sorted(QUIZZES))
def test_at_least_half_of_each_quiz_applies_what_was_learned(slug):
    questions = QUIZZES[slug]["questions"]
    applied = [q for q in questions if q.get("level") == "anwenden"]
    assert all(q.get("level") in ("anwenden", "wissen") for q in questions), slug
    assert len(applied) / len(questions) >= MIN_APPLICATION_SHARE, slug
    for question in applied:
        text = re.sub(r"\s*\([^)]*\)$", "", question["text"].strip())  # "(mehrere … richtig)"
        assert len(text.split()) >= 20, f"{slug}: no situation in {text!r}"
        assert text.endswith(("?", ".")), text


@pytest.mark.parametrize("slug", sorted(QUIZZES))
def test_no_question_gives_its_answer_away(slug):
    for question in QUIZZES[slug]["questions"]:
        if question["type"] == "true_false":
            assert not ABSOLUTE.search(question["text"]), question["text"]
            continue
        if question["type"] not in ("single_choice", "multiple_choice"):
            continue
        answers = question["answers"]
        # A comma in an unquoted YAML flow mapping splits an option into extra keys.
        assert all(set(a) <= {"text", "correct", "feedback"} for a in answers), answers
        wrong = [a for a in answers if not a.get("correct")]
        for answer in wrong:
            assert not ABSOLUTE.search(answer["text"]), f"{slug}: {answer['text']!r}"
        if question["type"] == "single_choice":
            assert len(answers) >= 3, question["text"]
        else:
            assert len(wrong) >= 2, f"{slug}: only {len(wrong)} wrong option(s): {question['text']}"


def test_no_two_questions_of_the_course_are_near_duplicates():
    questions = [(slug, q["text"]) for slug, quiz in QUIZZES.items() for q in quiz["questions"]]
    for (slug_a, a), (slug_b, b) in combinations(questions, 2):
        wa, wb = words(a), words(b)
        overlap = len(wa & wb) / len(wa | wb)
        assert overlap <= MAX_WORD_OVERLAP, f"{slug_a} / {slug_b}: {a!r} ~ {b!r}"
