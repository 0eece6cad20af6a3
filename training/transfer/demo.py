"""The demo's course rules and transfer tasks (loaded by ``seed_demo``; safe to run again)."""

from training.models import CourseRules, Enrollment, TransferTask
from training.transfer.services import ACCEPT, review_transfer_task, submit_transfer_task

DEMO_TEXTS = [
    "Am Schalter habe ich Frau B. gezeigt, wie sie ihren Umzug online meldet. Wir haben es "
    "gemeinsam auf ihrem Telefon gemacht; beim nächsten Mal braucht sie uns dafür nicht mehr.",
    "Nach einem Fehler im Versand von Bestätigungen habe ich ihn in der Teamsitzung offen "
    "angesprochen. Wir haben die Ursache gefunden und die Vorlage gemeinsam angepasst.",
    "Ich habe unseren Standardbrief zur Wohnsitzbestätigung in einfache Sprache umgeschrieben "
    "und mit zwei Kolleginnen getestet. Rückfragen am Telefon sind seither seltener geworden.",
]
DEMO_FEEDBACK = "Gutes Beispiel, konkret beschrieben und mit Wirkung. Angenommen."


def load_course_rules(*, course, final_exam) -> CourseRules:
    """The demo course needs its final exam and an accepted transfer task per section; it
    offers the improvement board."""
    rules, _ = CourseRules.objects.get_or_create(
        course=course,
        defaults={
            "final_exam": final_exam,
            "transfer_tasks": CourseRules.TransferTasks.REQUIRED,
            "improvement_board": True,
        },
    )
    return rules


def seed_transfer_tasks(*, enrollment: Enrollment, sections, trainer, accept: int) -> None:
    """Submits the participant's transfer task for each section; the trainer accepts the first
    ``accept`` of them (the others wait in the trainer's queue). Existing tasks stay."""
    user = enrollment.user
    for index, section in enumerate(sections):
        if TransferTask.objects.filter(enrollment=enrollment, section=section).exists():
            continue
        task = submit_transfer_task(
            user=user,
            section_id=section.pk,
            text=DEMO_TEXTS[index % len(DEMO_TEXTS)],
            version=0,
        )
        if index < accept:
            review_transfer_task(
                reviewer=trainer,
                task_id=task.pk,
                decision=ACCEPT,
                feedback=DEMO_FEEDBACK,
                version=task.version,
            )
