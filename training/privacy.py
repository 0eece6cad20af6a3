"""How training's per-person data is exported and erased (see core/privacy.py).

Erasure keeps learning statistics: enrollments, progress and scores stay with the anonymised
account, so cohort reports keep their numbers; what a person wrote (answers) and what was
written about it (feedback on essays) is removed. A trainer's traces (marks, enrollment history)
stay without their name (their import and export jobs: workspace/privacy.py)."""

from django.utils.translation import gettext_lazy as _

from core import privacy
from training.models import (
    Cohort,
    Enrollment,
    EnrollmentEvent,
    EssayMark,
    ModuleProgress,
    OrganisationUnit,
    QuestionRegrade,
    Quiz,
    Renewal,
    RenewalProgress,
    Sitting,
)

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

privacy.register(
    Renewal,
    title=_("Auffrischungen Ihrer Zertifikate"),
    user_fields=(),
    policy=(
        "Bleibt als anonyme Lernstatistik (über die Einschreibung): wann eine Auffrischung "
        "begonnen und abgeschlossen wurde."
    ),
    export=privacy.rows(
        "enrollment__user",
        ["id", "enrollment_id", "enrollment__course__title", "started_at", "completed_at"],
        model=Renewal,
    ),
)
privacy.register(
    RenewalProgress,
    title=_("Lernfortschritt in Auffrischungen"),
    user_fields=(),
    policy="Bleibt als anonyme Lernstatistik (über die Auffrischung und die Einschreibung).",
    export=privacy.rows(
        "renewal__enrollment__user",
        [
            "renewal_id",
            "module__title",
            "content_done_at",
            "quiz_passed_at",
            "completed_at",
        ],
        model=RenewalProgress,
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
privacy.register(
    QuestionRegrade,
    title=_("Von Ihnen vorgenommene Neubewertungen"),
    policy="Neubewertungen bleiben; wer sie vorgenommen hat, wird entfernt.",
    export=privacy.rows(
        "created_by", ["id", "quiz_id", "question_id", "kind", "created_at"], model=QuestionRegrade
    ),
    erase=privacy.detach(QuestionRegrade, "created_by"),
)


# --- Trainer workspace ----------------------------------------------------------------------


def _leave_units(user) -> None:
    for unit in OrganisationUnit.objects.filter(leads=user):
        unit.leads.remove(user)


privacy.register(
    OrganisationUnit,
    title=_("Organisationseinheiten, die Sie leiten"),
    policy="Die Person wird als Dienststellenleitung aus den Organisationseinheiten entfernt.",
    export=privacy.rows("leads", ["id", "organisation", "name"], model=OrganisationUnit),
    erase=_leave_units,
)
privacy.register(
    EnrollmentEvent,
    title=_("Verlauf Ihrer Einschreibungen"),
    policy=(
        "Der Verlauf der Einschreibungen bleibt; wer ihn ausgelöst hat (Trainer:in), wird "
        "entfernt, die Einträge bleiben ohne Personenbezug."
    ),
    # What happened to the person's own enrollments; the actor is a trainer, not named here.
    export=privacy.rows(
        "enrollment__user", ["enrollment_id", "action", "at"], model=EnrollmentEvent
    ),
    erase=privacy.detach(EnrollmentEvent, "actor"),
)


def _export_marks(user) -> list[dict]:
    # The marks and feedback the person's essay answers received.
    return list(
        EssayMark.objects.filter(sitting__user=user)
        .order_by("pk")
        .values(
            "sitting_id",
            "block_id",
            "old_points",
            "new_points",
            "feedback",
            "marked_by_name",
            "marked_at",
        )
    )


def _erase_marks(user) -> None:
    label = privacy.erased_person_label()
    # As the person who was marked: the feedback is free text about them; points stay.
    EssayMark.objects.filter(sitting__user=user).exclude(feedback="").update(feedback="")
    # As the trainer who marked: the marks stay (points, feedback, time) without the name. The
    # attempt's answers carry the name of the block's latest marker too.
    blocks = set(EssayMark.objects.filter(marked_by=user).values_list("sitting_id", "block_id"))
    latest = {}
    for sitting_id, block_id, marked_by_id in (
        EssayMark.objects.filter(sitting_id__in={block[0] for block in blocks})
        .order_by("marked_at", "pk")
        .values_list("sitting_id", "block_id", "marked_by_id")
    ):
        latest[(sitting_id, block_id)] = marked_by_id
    by_sitting = {}
    for sitting_id, block_id in blocks:
        if latest.get((sitting_id, block_id)) == user.pk:
            by_sitting.setdefault(sitting_id, []).append(block_id)
    for sitting in Sitting.objects.select_for_update().filter(pk__in=by_sitting):
        changed = False
        for block_id in by_sitting[sitting.pk]:
            answer = sitting.answers.get(block_id)
            if isinstance(answer, dict) and answer.get("marked_by"):
                answer["marked_by"] = label
                changed = True
        if changed:
            sitting.save(update_fields=["answers"])
    EssayMark.objects.filter(marked_by=user).update(marked_by=None, marked_by_name=label)


privacy.register(
    EssayMark,
    title=_("Bewertungen Ihrer Freitextantworten"),
    policy=(
        "Punkte bleiben als Statistik. Rückmeldungen an die Person werden gelöscht; hat die "
        "Person als Trainer:in bewertet, steht statt ihres Namens «gelöschtes Konto»."
    ),
    export=_export_marks,
    erase=_erase_marks,
)
