"""How training's per-person data is exported and erased (see config/privacy.py).

Erasure keeps learning statistics: enrollments, progress and scores stay with the anonymised
account, so cohort reports keep their numbers; what a person wrote (answers) is removed."""

from django.utils.translation import gettext_lazy as _

from config import privacy
from training.models import Cohort, Enrollment, ModuleProgress, Quiz, Sitting

privacy.register(
    Enrollment,
    title=_("Einschreibungen"),
    policy=(
        "Bleibt als anonyme Lernstatistik beim anonymisierten Konto (Kurs, Durchführung, "
        "Daten von Einschreibung und Abschluss)."
    ),
    export=privacy.rows(
        "user",
        [
            "id",
            "course__title",
            "cohort__name",
            "cohort__organisation",
            "enrolled_at",
            "completed_at",
        ],
        model=Enrollment,
    ),
    erase=privacy.keep,
    keeps_account=("user",),
)
privacy.register(
    ModuleProgress,
    title=_("Lernfortschritt in den Modulen"),
    user_fields=(),
    policy="Bleibt als anonyme Lernstatistik (über die Einschreibung).",
    export=privacy.rows(
        "enrollment__user",
        [
            "enrollment_id",
            "module__title",
            "started_at",
            "content_done_at",
            "quiz_passed_at",
            "completed_at",
        ],
        model=ModuleProgress,
    ),
)


def _erase_answers(user) -> None:
    # Answers may hold free text the person wrote (essays); scores stay as statistics.
    Sitting.objects.filter(user=user).update(answers={})


privacy.register(
    Sitting,
    title=_("Versuche in Lernkontrollen, mit Ihren Antworten"),
    policy="Antworten werden gelöscht; Punktzahl, Ergebnis und Zeitpunkte bleiben als Statistik.",
    export=privacy.rows(
        "user",
        [
            "id",
            "quiz__title",
            "attempt_number",
            "answers",
            "score",
            "max_score",
            "passed",
            "complete",
            "needs_marking",
            "started_at",
            "finished_at",
        ],
        model=Sitting,
    ),
    erase=_erase_answers,
)


def _leave_cohorts(user) -> None:
    for cohort in Cohort.objects.filter(trainers=user):
        cohort.trainers.remove(user)


privacy.register(
    Cohort,
    title=_("Kursdurchführungen, die Sie betreuen"),
    policy="Die Person wird als Trainer:in aus den Kursdurchführungen entfernt.",
    export=privacy.rows("trainers", ["id", "name", "organisation"], model=Cohort),
    erase=_leave_cohorts,
)


def _unlock_quizzes(user) -> None:
    Quiz.objects.filter(locked_by=user).update(locked=False, locked_by=None, locked_at=None)


privacy.register(
    Quiz,
    title=_("Von Ihnen gesperrte Lernkontrollen"),
    policy="Von der Person gesperrte Lernkontrollen werden entsperrt.",
    export=privacy.rows("locked_by", ["id", "title", "locked_at"], model=Quiz),
    erase=_unlock_quizzes,
)
