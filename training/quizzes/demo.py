"""Loads the demo quizzes from training/quizzes/content/*.yaml as published Quiz snippets."""

import json
import uuid
from pathlib import Path

import yaml
from django.db import transaction

from cms.services import ContentError, db_html
from training.models import Quiz

QUIZ_DIR = Path(__file__).resolve().parent / "content"
EXAM_FILE = QUIZ_DIR / "exam" / "abschlusspruefung.yaml"


def _id() -> str:
    return str(uuid.uuid4())


def question_block(q: dict, source: str) -> dict:
    kind = q.get("type")
    value = {
        "text": q["text"],
        "category": q.get("category", ""),
        "explanation": db_html(q.get("explanation", "")),
        "points": q.get("points", 4 if kind == "essay" else 1),
    }
    if kind in ("single_choice", "multiple_choice"):
        value["answers"] = [
            {
                "type": "item",
                "id": _id(),
                "value": {
                    "text": a["text"],
                    "correct": bool(a.get("correct")),
                    "feedback": a.get("feedback", ""),
                },
            }
            for a in q["answers"]
        ]
        if q.get("answer_order"):  # random unless the file says "authored" (e.g. "Alle genannten")
            value["answer_order"] = q["answer_order"]
        if kind == "multiple_choice":
            default = "right_minus_wrong" if q.get("partial_credit", True) else "all_or_nothing"
            value["scoring"] = q.get("scoring", default)
    elif kind == "true_false":
        value["correct"] = bool(q["correct"])
    elif kind == "essay":
        value["model_answer"] = db_html(q.get("model_answer", ""))
    else:
        raise ContentError(f"{source}: unknown question type {kind!r}")
    return {"type": kind, "value": value, "id": _id()}


def read_quizzes(quiz_dir: Path = QUIZ_DIR) -> dict[str, dict]:
    quizzes = {}
    for f in sorted(quiz_dir.glob("*.yaml")):
        data = yaml.safe_load(f.read_text(encoding="utf-8"))
        data["_source"] = f.name
        quizzes[data["module"]] = data
    return quizzes


def read_exam(path: Path = EXAM_FILE) -> dict:
    """The final exam's file: a quiz file without a module, its questions' categories the pools."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["_source"] = path.name
    return data


@transaction.atomic
def load_quiz(data: dict, *, category: str = "") -> Quiz:
    """Creates the quiz, published, unless one with this title exists (then it is left as is)."""
    existing = Quiz.objects.filter(title=data["title"]).first()
    if existing:
        return existing
    quiz = Quiz(
        title=data["title"],
        description=data.get("description", ""),
        category=category,
        pass_mark=data.get("pass_mark", 60),
        max_questions=data.get("max_questions"),
        questions_per_category=data.get("questions_per_category"),
        random_order=data.get("random_order", False),
        one_question_per_page=data.get("one_question_per_page", True),
        answers_at_end=data.get("answers_at_end", False),
        exam_paper=data.get("exam_paper", True),
        single_attempt=data.get("single_attempt", False),
        max_attempts=data.get("max_attempts"),
        time_limit_minutes=data.get("time_limit_minutes"),
        success_text=data.get("success_text", ""),
        fail_text=data.get("fail_text", ""),
        questions=json.dumps([question_block(q, data["_source"]) for q in data["questions"]]),
        live=False,
    )
    quiz.full_clean()
    quiz.save()
    quiz.save_revision().publish()
    return quiz
