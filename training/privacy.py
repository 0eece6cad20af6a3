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
    Sitting,
    TransferTask,
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


# --- Transfer tasks (Praxisaufträge) --------------------------------------------------------


def _export_transfer_tasks(user) -> list[dict]:
    own = list(
        TransferTask.objects.filter(enrollment__user=user)
        .order_by("pk")
        .values(
            "id",
            "section__title",
            "text",
            "attachment_name",
            "status",
            "submitted_at",
            "feedback",
            "reviewer_name",
            "reviewed_at",
        )
    )
    reviewed = list(
        TransferTask.objects.filter(reviewed_by=user)
        .order_by("pk")
        .values("id", "status", "reviewed_at")
    )
    return own + [{**row, "reviewed_by_you": True} for row in reviewed]


def _erase_transfer_tasks(user) -> None:
    # As the participant: what they wrote and uploaded, and the feedback about it, is removed;
    # the state (accepted or not) stays, as the completion it counted for does.
    for task in TransferTask.objects.filter(enrollment__user=user).exclude(attachment=""):
        task.attachment.delete(save=False)
    TransferTask.objects.filter(enrollment__user=user).update(
        text="", feedback="", attachment="", attachment_name=""
    )
    # As the trainer who reviewed: the reviews stay without the name.
    TransferTask.objects.filter(reviewed_by=user).update(
        reviewed_by=None, reviewer_name=privacy.erased_person_label()
    )


privacy.register(
    TransferTask,
    title=_("Praxisaufträge: Ihre Beschreibungen, Anhänge und Rückmeldungen"),
    policy=(
        "Beschreibung, Anhang und Rückmeldung werden gelöscht; ob der Auftrag angenommen war, "
        "bleibt als Statistik. Hat die Person als Trainer:in beurteilt, steht statt ihres Namens "
        "«gelöschtes Konto»."
    ),
    export=_export_transfer_tasks,
    erase=_erase_transfer_tasks,
)
