"""Writes of transfer tasks: the participant submits (or revises) the task of a section, a
trainer of their cohort accepts it or asks for a revision. Each function runs in one
transaction, locks the enrollment before the task (the order completing the course takes), and
refuses with a German message (training.errors) leaving nothing changed; a form's ``version``
must be the task's current one, so a replayed or stale form changes nothing."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AuditAction
from audit.services import record_audit
from cms.models import SectionPage
from training import errors
from training.access import cohorts_for
from training.errors import NotFoundError, PermissionDeniedError, TrainingError
from training.models import CourseRules, Enrollment, TransferTask
from training.services import complete_course, lock_active_enrollment
from training.transfer.files import checked_attachment

TEXT_MIN = 80
TEXT_MAX = 10_000
FEEDBACK_MAX = 5_000

SECTION_NOT_FOUND = _("Diesen Lernbereich gibt es nicht oder er ist nicht veröffentlicht.")
NOT_OFFERED = _("In diesem Kurs gibt es keine Praxisaufträge.")
TEXT_TOO_SHORT = _(
    "Bitte beschreiben Sie in mindestens %(min)s Zeichen, wie Sie den Lernbereich an Ihrem "
    "Arbeitsplatz angewendet haben."
)
TEXT_TOO_LONG = _(
    "Ihre Beschreibung ist zu lang. Bitte kürzen Sie sie auf höchstens 10 000 Zeichen."
)
ALREADY_ACCEPTED = _(
    "Dieser Praxisauftrag ist bereits angenommen und kann nicht mehr geändert werden."
)
STALE = _(
    "Dieser Praxisauftrag wurde inzwischen geändert, zum Beispiel in einem zweiten Fenster. "
    "Es wurde nichts gespeichert. Bitte laden Sie die Seite neu."
)
TASK_NOT_FOUND = _("Diesen Praxisauftrag gibt es nicht.")
NOT_ALLOWED_TO_REVIEW = _("Sie dürfen Praxisaufträge nicht beurteilen.")
NOT_WAITING = _(
    "Dieser Praxisauftrag wartet nicht auf eine Rückmeldung: Er wurde bereits beurteilt. "
    "Es wurde nichts geändert."
)
FEEDBACK_REQUIRED = _("Bitte schreiben Sie, was überarbeitet werden soll.")
FEEDBACK_TOO_LONG = _("Die Rückmeldung ist zu lang (höchstens 5000 Zeichen).")
UNKNOWN_DECISION = _("Bitte wählen Sie «Annehmen» oder «Überarbeitung erbitten».")
REVIEW_PERMISSION = "training.review_transfer_tasks"

ACCEPT, REVISE = "accept", "revise"


def _int(value, message) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise NotFoundError(message) from exc


def _version(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise TrainingError(errors.MALFORMED_FORM) from exc


def section_and_enrollment(user, section_id) -> tuple[SectionPage, Enrollment]:
    """The live section and the user's enrollment in its course, or a refusal."""
    section = SectionPage.objects.live().filter(pk=_int(section_id, SECTION_NOT_FOUND)).first()
    if section is None:
        raise NotFoundError(SECTION_NOT_FOUND)
    course_id = section.get_parent().pk
    enrollment = Enrollment.objects.filter(user=user, course_id=course_id).first()
    if enrollment is None:
        raise PermissionDeniedError(errors.NOT_ENROLLED)
    if enrollment.unenrolled_at is not None:
        raise PermissionDeniedError(errors.ENROLLMENT_ENDED)
    rules = CourseRules.objects.filter(course_id=course_id).first()
    if rules is None or not rules.offers_transfer_tasks:
        raise NotFoundError(NOT_OFFERED)
    return section, enrollment


def _clean_text(text: str) -> str:
    text = (text or "").replace("\x00", "").strip()
    if len(text) > TEXT_MAX:
        raise TrainingError(TEXT_TOO_LONG)
    if len(text) < TEXT_MIN:
        raise TrainingError(TEXT_TOO_SHORT % {"min": TEXT_MIN})
    return text


def submit_transfer_task(
    *, user, section_id, text: str, version, attachment=None, remove_attachment=False
) -> TransferTask:
    """Submits the participant's transfer task for the section, or a revision of it.

    ``version`` is the task's version the form showed (0 for a new task). An accepted task stays
    as it is. The attachment (optional) is checked for size and type before anything is written;
    it replaces an earlier one, which is deleted after the commit."""
    section, enrollment = section_and_enrollment(user, section_id)
    text = _clean_text(text)
    version = _version(version)
    upload = checked_attachment(attachment) if attachment else None
    old_file = None
    with transaction.atomic():
        lock_active_enrollment(enrollment.pk)
        task = (
            TransferTask.objects.select_for_update()
            .filter(enrollment=enrollment, section=section)
            .first()
        )
        current = task.version if task else 0
        if task is not None and task.status == TransferTask.Status.ACCEPTED:
            raise TrainingError(ALREADY_ACCEPTED)
        if version != current:
            raise TrainingError(STALE)
        now = timezone.now()
        if task is None:
            task = TransferTask(enrollment=enrollment, section=section, version=0)
        if (upload or remove_attachment) and task.attachment:
            old_file = task.attachment.name
            task.attachment, task.attachment_name = "", ""
        if upload:
            task.attachment.save(upload.stored_name, upload.content, save=False)
            task.attachment_name = upload.display_name
        task.text = text
        task.status = TransferTask.Status.SUBMITTED
        task.submitted_at = now
        task.version += 1
        try:
            task.full_clean(exclude=["enrollment", "section", "attachment"])
            with transaction.atomic():
                task.save()
        except IntegrityError as exc:  # submitted at the same moment in another window
            if upload:
                task.attachment.delete(save=False)
            raise TrainingError(STALE) from exc
        except BaseException:
            if upload:
                task.attachment.delete(save=False)
            raise
        if old_file:
            storage = task.attachment.storage
            transaction.on_commit(lambda: storage.delete(old_file))
    return task


def can_review(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(REVIEW_PERMISSION))


def tasks_visible_to(user):
    """The transfer tasks of the cohorts the user supervises (none without the permission)."""
    if not can_review(user):
        return TransferTask.objects.none()
    return TransferTask.objects.filter(enrollment__cohort__in=cohorts_for(user))


def review_transfer_task(
    *, reviewer, task_id, decision: str, feedback: str, version
) -> TransferTask:
    """Accepts the task or asks for a revision, with feedback; audited. Only a trainer of the
    participant's cohort (or the Kursleitung) finds the task; only a task waiting for feedback
    in the version the form showed is changed. Accepting lets ``complete_course`` decide the
    course, in the same transaction."""
    if not can_review(reviewer):
        raise PermissionDeniedError(NOT_ALLOWED_TO_REVIEW)
    task_id = _int(task_id, TASK_NOT_FOUND)
    version = _version(version)
    if decision not in (ACCEPT, REVISE):
        raise TrainingError(UNKNOWN_DECISION)
    feedback = (feedback or "").replace("\x00", "").strip()
    if len(feedback) > FEEDBACK_MAX:
        raise TrainingError(FEEDBACK_TOO_LONG)
    if decision == REVISE and not feedback:
        raise TrainingError(FEEDBACK_REQUIRED)
    found = tasks_visible_to(reviewer).filter(pk=task_id).values_list("enrollment_id", flat=True)
    if not found:
        raise NotFoundError(TASK_NOT_FOUND)
    with transaction.atomic():
        lock_active_enrollment(found[0])
        task = TransferTask.objects.select_for_update().get(pk=task_id)
        if task.status != TransferTask.Status.SUBMITTED:
            raise TrainingError(NOT_WAITING)
        if task.version != version:
            raise TrainingError(STALE)
        task.status = (
            TransferTask.Status.ACCEPTED if decision == ACCEPT else TransferTask.Status.REVISION
        )
        task.feedback = feedback
        task.reviewed_at = timezone.now()
        task.reviewed_by = reviewer
        task.reviewer_name = reviewer.get_full_name() or reviewer.get_username()
        task.version += 1
        task.save()
        record_audit(
            actor=reviewer,
            action=AuditAction.TRANSFER_TASK_REVIEWED,
            target=task,
            subject=task.enrollment.user,
            details={"decision": decision, "section_id": task.section_id},
        )
        if decision == ACCEPT:
            complete_course(enrollment_id=task.enrollment_id)
    return task
