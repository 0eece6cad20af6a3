"""The quiz and questions of the revision an attempt is pinned to (Sitting.quiz_revision):
publishing a new version of a quiz never changes a running or finished attempt."""

import copy
from collections.abc import Mapping

from training.models import Quiz, Sitting
from training.quizzes.questions import QuizQuestion, quiz_questions

# A revision's content never changes, so the quiz and questions parsed from it are kept per
# process, by revision id: answering a question does not parse the quiz's JSON again.
PINNED_MEMO_MAX = 512
_pinned: dict[int, tuple[Quiz, dict[str, QuizQuestion]]] = {}


def _pinned_content(sitting: Sitting) -> tuple[Quiz, dict[str, QuizQuestion]]:
    return revision_content(sitting.quiz_revision_id, lambda: sitting.quiz_revision)


def revision_content(revision_id, revision) -> tuple[Quiz, dict[str, QuizQuestion]]:
    """The quiz and questions of a revision; ``revision()`` gives the row when not yet parsed."""
    content = _pinned.get(revision_id)
    if content is None:
        quiz = Quiz.from_serializable_data(revision().content, check_fks=False)
        content = (quiz, quiz_questions(quiz))
        if len(_pinned) >= PINNED_MEMO_MAX:
            _pinned.clear()
        _pinned[revision_id] = content
    return content


def forget_pinned_quizzes() -> None:
    """Empties the memo of parsed revisions (tests do, as their rows roll back)."""
    _pinned.clear()


def pinned_quiz(sitting: Sitting):
    """The quiz as it was when the attempt started (its revision), whatever was edited since.

    What ``Revision.as_object()`` gives, without its queries: the revision's content is parsed
    once per process (the revision is read only then), and the foreign keys stored in it are not
    looked up one by one (``check_fks``), since a question page never follows them. A copy:
    callers may set attributes on it.

    The quiz row is not read for it: question pages and answer posts select the attempt alone.
    When a caller selected the row with the attempt, the values that belong to the quiz as a
    whole rather than to a revision (publishing state) are taken from it, as
    ``with_content_json`` does."""
    quiz = copy.copy(_pinned_content(sitting)[0])
    quiz.pk = sitting.quiz_id
    if Sitting.quiz.is_cached(sitting):
        row = sitting.quiz
        quiz.latest_revision_id = row.latest_revision_id
        quiz.live = row.live
        quiz.has_unpublished_changes = row.has_unpublished_changes
        quiz.first_published_at = row.first_published_at
    return quiz


def pinned_questions(sitting: Sitting) -> Mapping[str, QuizQuestion]:
    """The attempt's revision's questions by block id (shared: read, never change them)."""
    return _pinned_content(sitting)[1]
