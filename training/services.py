"""Writes to a participant's learning: enrolling (also by a trainer, with an invitation for a new
account), unenrolling, marking a module read, completing modules and with them the course. Each
function runs in one transaction; invitations are queued after the commit.

Completing the course announces *enrollment completed* (training.events) after the commit. The
quiz engine's writes are in training.quizzes.services; it records a passed quiz and calls
``complete_module``.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.emails import email_confirmed
from accounts.invitations import create_invited_account
from accounts.sso.selectors import asserted_organisation_unit, external_identities
from audit.models import AuditAction
from audit.services import record_audit
from cms.selectors import live_module
from training import errors, events
from training.completion import completion_state
from training.errors import NotFoundError, PermissionDeniedError
from training.models import (
    Cohort,
    Enrollment,
    EnrollmentEvent,
    ModuleProgress,
    OrganisationUnit,
    Sitting,
)
from training.quizzes.selectors import module_quiz
from training.selectors import enrollment_for_module
from training.tasks import queue_invitations

ENROLL_EMAIL_INVALID = _("Bitte geben Sie eine gültige E-Mail-Adresse an.")
ENROLL_NAME_MISSING = _("Für ein neues Konto sind Vor- und Nachname nötig.")
ENROLL_EMAIL_AMBIGUOUS = _(
    "Mehrere Konten haben diese E-Mail-Adresse; bitte wenden Sie sich an die Kursleitung."
)
ENROLL_ALREADY_ENROLLED = _("Diese Person ist bereits in dieser Kursdurchführung eingeschrieben.")
ENROLL_EMAIL_UNCONFIRMED = _(
    "Ein Konto mit dieser E-Mail-Adresse hat die Adresse nicht bestätigt; es wird nicht "
    "eingeschrieben. Bitte klären Sie die Adresse mit der Person oder der Kursleitung."
)
UNENROLL_ALREADY = _("Diese Person ist bereits ausgetragen.")
INVITATION_NOT_NEEDED = _(
    "Diese Person hat ihr Passwort bereits gesetzt; eine Einladung ist nicht nötig."
)
INVITATION_UNENROLLED = _("Ausgetragene Personen erhalten keine Einladung.")


@transaction.atomic
def enroll(*, user, cohort: Cohort) -> Enrollment:
    """Enrolls the user in the cohort's course. Idempotent: an existing enrollment is returned."""
    enrollment, _ = Enrollment.objects.get_or_create(
        user=user, course_id=cohort.course_id, defaults={"cohort": cohort}
    )
    return enrollment


@transaction.atomic
def complete_module(*, enrollment_id: int, module_id: int) -> ModuleProgress:
    """Decides whether the module is complete for this enrollment, and the course with it.

    A module is complete when its content is marked read and its quiz (if any) is passed
    (``quiz_passed_at`` set by the quiz services). Locks the enrollment row (``select_for_update``)
    so two concurrent completions cannot both complete the course; completing twice is a no-op.
    """
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment_id)
    if enrollment.unenrolled_at is not None:
        # Unenrolled: nothing completes (re-checked here, under the lock, whoever calls).
        existing = ModuleProgress.objects.filter(enrollment=enrollment, module_id=module_id)
        return existing.first() or ModuleProgress(enrollment=enrollment, module_id=module_id)
    progress, _ = ModuleProgress.objects.get_or_create(enrollment=enrollment, module_id=module_id)
    if progress.completed_at is None and _module_requirements_met(progress):
        progress.completed_at = timezone.now()
        progress.save(update_fields=["completed_at"])
    _complete_if_done(enrollment)
    return progress


def _complete_if_done(enrollment: Enrollment) -> None:
    """Completes the (locked, active) enrollment when every condition of its course is met."""
    if enrollment.completed_at is None and completion_state(enrollment).complete:
        enrollment.completed_at = timezone.now()
        enrollment.save(update_fields=["completed_at"])
        events.announce_enrollment_completed(enrollment.pk)


@transaction.atomic
def complete_course(*, enrollment_id: int) -> Enrollment:
    """Decides the course after a condition other than a module was met (final exam passed,
    transfer task accepted): the same decision as ``complete_module``, under the same row lock
    on the enrollment; an unenrolled or completed enrollment is left as it is."""
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment_id)
    if enrollment.unenrolled_at is None:
        _complete_if_done(enrollment)
    return enrollment


def lock_certifiable_enrollment(enrollment_id: int) -> bool:
    """Row lock on the enrollment, as completing takes it; whether it may get its certificate
    now: active, completed, and every condition of the course still met (the final exam passed,
    transfer tasks accepted)."""
    enrollment = Enrollment.objects.select_for_update().filter(pk=enrollment_id).first()
    return (
        enrollment is not None
        and enrollment.unenrolled_at is None
        and enrollment.completed_at is not None
        and completion_state(enrollment).complete
    )


def resume_completion(*, enrollment_id: int) -> None:
    """After re-enrolling: lets ``complete_module`` decide every module left incomplete, so work
    recorded while the person was unenrolled (an essay marked later) counts again."""
    module_ids = ModuleProgress.objects.filter(
        enrollment_id=enrollment_id, completed_at__isnull=True
    ).values_list("module_id", flat=True)
    for module_id in list(module_ids):
        complete_module(enrollment_id=enrollment_id, module_id=module_id)
    complete_course(enrollment_id=enrollment_id)


def lock_active_enrollment(enrollment_id: int) -> Enrollment:
    """Locks the enrollment row; refuses (403) when it is gone or unenrolled."""
    enrollment = Enrollment.objects.select_for_update().filter(pk=enrollment_id).first()
    if enrollment is None:
        raise PermissionDeniedError(errors.NOT_ENROLLED)
    if enrollment.unenrolled_at is not None:
        raise PermissionDeniedError(errors.ENROLLMENT_ENDED)
    return enrollment


def _module_requirements_met(progress: ModuleProgress) -> bool:
    if progress.content_done_at is None:
        return False
    quiz = module_quiz(progress.module_id)
    return quiz is None or progress.quiz_passed_at is not None


# No savepoint of its own: the quiz engine calls it inside its attempt's transaction.
@transaction.atomic(savepoint=False)
def record_quiz_passed(*, enrollment_id: int, module_id: int, at=None) -> ModuleProgress:
    """Records that the module's quiz was passed (``at``, default now; the quiz engine calls
    this when an attempt passes), then lets ``complete_module`` decide completion. Recording
    twice keeps the first time."""
    progress, _ = ModuleProgress.objects.get_or_create(
        enrollment_id=enrollment_id, module_id=module_id
    )
    if progress.quiz_passed_at is None:
        progress.quiz_passed_at = at or timezone.now()
        progress.save(update_fields=["quiz_passed_at"])
    return complete_module(enrollment_id=enrollment_id, module_id=module_id)


# --- Reading a module ----------------------------------------------------------------------


def live_module_or_refuse(module_id: int):
    """The live module page, or NotFoundError (a German message) for anything else."""
    try:
        module = live_module(int(module_id))
    except (TypeError, ValueError):
        module = None
    if module is None:
        raise NotFoundError(errors.MODULE_NOT_FOUND)
    return module


def enrollment_or_refuse(user, module) -> Enrollment:
    """The user's enrollment in the module's course, or PermissionDeniedError."""
    enrollment = enrollment_for_module(user, module)
    if enrollment is None:
        raise PermissionDeniedError(errors.NOT_ENROLLED)
    if enrollment.unenrolled_at is not None:
        raise PermissionDeniedError(errors.ENROLLMENT_ENDED)
    return enrollment


def mark_module_read(*, user, module_id: int) -> ModuleProgress:
    """Records that the participant has read the module's content (the live revision they read),
    then lets ``complete_module`` decide completion. Marking twice keeps the first time."""
    module = live_module_or_refuse(module_id)
    enrollment = enrollment_or_refuse(user, module)
    with transaction.atomic():
        lock_active_enrollment(enrollment.pk)
        progress, _ = ModuleProgress.objects.get_or_create(enrollment=enrollment, module=module)
        if progress.content_done_at is None:
            progress.content_done_at = timezone.now()
            progress.page_revision_id = module.live_revision_id
            progress.full_clean()
            progress.save(update_fields=["content_done_at", "page_revision"])
        return complete_module(enrollment_id=enrollment.pk, module_id=module.pk)


# --- Enrolling one person (by a trainer) ------------------------------------------------------


@transaction.atomic
def enroll_participant(
    *,
    cohort: Cohort,
    email: str,
    first_name: str = "",
    last_name: str = "",
    unit_name: str = "",
    actor,
) -> Enrollment | None:
    """Enrolls one person (creating an account with an open invitation if needed).

    A person unenrolled earlier from this course is enrolled again with their history. A person
    enrolled in another cohort of the course stays there: nothing changes, the conflict goes
    to the audit log for the Kursleitung, and ``None`` is returned, so the trainer's answer
    tells neither that the account exists nor which cohort it is in. Invites new accounts
    after commit.
    """
    email = " ".join(email.split()).lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError(ENROLL_EMAIL_INVALID) from exc
    User = get_user_model()
    users = list(User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email))[:2])
    if len(users) > 1:
        raise ValidationError(ENROLL_EMAIL_AMBIGUOUS)
    if users and not attachable(users[0], email):
        raise ValidationError(ENROLL_EMAIL_UNCONFIRMED)
    if users:
        user = users[0]
        # Without a unit given, the one the person's organisation login asserted (accounts.sso).
        unit_name = unit_name or asserted_organisation_unit(user)
    else:
        if not (first_name.strip() and last_name.strip()):
            raise ValidationError(ENROLL_NAME_MISSING)
        user = create_invited_account(
            email=email, first_name=first_name.strip(), last_name=last_name.strip()
        )
    unit = _unit(cohort, unit_name)

    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .filter(user=user, course_id=cohort.course_id)
        .select_related("cohort")
        .first()
    )
    if enrollment is None:
        try:
            with transaction.atomic():
                enrollment = Enrollment.objects.create(
                    user=user, course_id=cohort.course_id, cohort=cohort, organisation_unit=unit
                )
        except IntegrityError as exc:  # enrolled by someone else a moment ago
            raise ValidationError(ENROLL_ALREADY_ENROLLED) from exc
        action = EnrollmentEvent.Action.ENROLLED
    elif enrollment.unenrolled_at is None:
        if enrollment.cohort_id == cohort.pk:
            raise ValidationError(ENROLL_ALREADY_ENROLLED)
        record_audit(
            actor=actor,
            action=AuditAction.ENROLLMENT_CONFLICT,
            target=enrollment,
            details={"requested_cohort_id": cohort.pk, "enrolled_cohort_id": enrollment.cohort_id},
        )
        return None
    else:
        enrollment.unenrolled_at = None
        enrollment.cohort = cohort
        enrollment.organisation_unit = unit or enrollment.organisation_unit
        enrollment.save(update_fields=["unenrolled_at", "cohort", "organisation_unit"])
        action = EnrollmentEvent.Action.REENROLLED
        resume_completion(enrollment_id=enrollment.pk)
    EnrollmentEvent.objects.create(enrollment=enrollment, action=action, actor=actor)
    # People who log in through their organisation set no password here: no invitation to.
    if not user.has_usable_password() and not external_identities(user).exists():
        queue_invitations([enrollment.pk], actor_id=actor.pk)
    return enrollment


def attachable(user, email: str) -> bool:
    """Whether enrolling by ``email`` may attach to this existing account: its address must be
    exactly this one and confirmed (or the account still waits for the invitation a trainer
    sent to that address, so nobody else controls it)."""
    if (user.email or "").lower() != email.lower():
        return False  # matched by username only: an address never proven for this account
    return email_confirmed(user) or not user.has_usable_password()


def _unit(cohort: Cohort, name: str) -> OrganisationUnit | None:
    name = " ".join(name.split())
    if not name:
        return None
    unit = OrganisationUnit.objects.filter(organisation=cohort.organisation, name__iexact=name)
    return unit.first() or OrganisationUnit.objects.create(
        organisation=cohort.organisation, name=name
    )


@transaction.atomic
def unenroll_participant(*, enrollment: Enrollment, actor) -> Enrollment:
    """Marks the enrollment as unenrolled and closes its open attempts unscored (finished, not
    passed: they never count towards completion). Progress, finished attempts and a certificate
    already issued stay. The open attempts are locked before the enrollment, in the order an
    answer takes them (attempt, then enrollment), so the two cannot deadlock."""
    open_sittings = list(
        Sitting.objects.select_for_update()
        .filter(enrollment_id=enrollment.pk, complete=False)
        .values_list("pk", flat=True)
    )
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.unenrolled_at is not None:
        raise ValidationError(UNENROLL_ALREADY)
    now = timezone.now()
    enrollment.unenrolled_at = now
    enrollment.save(update_fields=["unenrolled_at"])
    Sitting.objects.filter(pk__in=open_sittings, complete=False).update(
        complete=True, finished_at=now, passed=False, needs_marking=False
    )
    EnrollmentEvent.objects.create(
        enrollment=enrollment, action=EnrollmentEvent.Action.UNENROLLED, actor=actor
    )
    return enrollment


@transaction.atomic
def resend_invitation(*, enrollment: Enrollment, actor) -> None:
    """Queues a fresh invitation link (the old one stays valid until it expires or is used)."""
    enrollment = Enrollment.objects.select_related("user").get(pk=enrollment.pk)
    if enrollment.unenrolled_at is not None:
        raise ValidationError(INVITATION_UNENROLLED)
    if enrollment.user.has_usable_password():
        raise ValidationError(INVITATION_NOT_NEEDED)
    queue_invitations([enrollment.pk], actor_id=actor.pk)
