"""The refresher run (*Auffrischung*) of a completed enrollment: starting it, recording what the
person repeats, and deciding when it is complete; plus the reads its pages need.

Which certificate may be renewed, and when, is the certificate register's rule
(``certificates.renewals``); this module only keeps the learning. A refresher repeats the
course's renewal modules (``cms.selectors.renewal_modules``): each must be read again and its
quiz passed again in an attempt started during the refresher. When the last one completes, the
refresher is completed under the enrollment's row lock and the enrollment is announced
completed again (``training.events``), so the certificate task issues the renewed certificate
by the same path as the first one, exactly once.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.selectors import renewal_modules
from training import errors, events
from training.errors import PermissionDeniedError
from training.models import Enrollment, Renewal, RenewalProgress, Sitting
from training.quizzes.selectors import module_quiz

RENEWAL_NOT_COMPLETED = _("Eine Auffrischung ist erst nach dem Abschluss des Kurses möglich.")


def _locked_active_enrollment(enrollment_id: int) -> Enrollment:
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("course")
        .filter(pk=enrollment_id)
        .first()
    )
    if enrollment is None:
        raise PermissionDeniedError(errors.NOT_ENROLLED)
    if enrollment.unenrolled_at is not None:
        raise PermissionDeniedError(errors.ENROLLMENT_ENDED)
    return enrollment


@transaction.atomic
def start_renewal(*, enrollment_id: int, renews, now=None) -> tuple[Renewal, bool]:
    """Starts the refresher renewing certificate ``renews``; returns it and whether it is new.

    Idempotent: the refresher already started for this certificate is returned (a replayed or
    doubled request starts nothing new); the unique constraints (one refresher per
    certificate, one open per enrollment) have the last word under concurrency. Locks the
    enrollment; refuses an unenrolled or uncompleted one."""
    enrollment = _locked_active_enrollment(enrollment_id)
    if enrollment.completed_at is None:
        raise PermissionDeniedError(RENEWAL_NOT_COMPLETED)
    existing = Renewal.objects.filter(renews=renews).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            renewal = Renewal.objects.create(
                enrollment=enrollment, renews=renews, started_at=now or timezone.now()
            )
    except IntegrityError:
        # Another refresher of this enrollment is open (for an older certificate): that one runs.
        renewal = Renewal.objects.filter(enrollment=enrollment, completed_at__isnull=True).first()
        if renewal is None:
            raise
        return renewal, False
    return renewal, True


def open_renewal(enrollment_id: int) -> Renewal | None:
    return Renewal.objects.filter(enrollment_id=enrollment_id, completed_at__isnull=True).first()


def _renewal_progress(enrollment: Enrollment, module_id: int) -> RenewalProgress | None:
    """The open refresher's row for this module (created on first use), or None when no
    refresher runs or the module is not part of it."""
    renewal = open_renewal(enrollment.pk)
    if renewal is None:
        return None
    if module_id not in {m.pk for m in renewal_modules(enrollment.course)}:
        return None
    progress, _created = RenewalProgress.objects.get_or_create(renewal=renewal, module_id=module_id)
    progress.renewal = renewal
    return progress


def record_read(*, enrollment: Enrollment, module, at=None) -> RenewalProgress | None:
    """Within the caller's transaction, holding the enrollment's row lock (as
    ``training.services.mark_module_read`` does): records that the module was read again in
    the open refresher. Reading twice keeps the first time."""
    progress = _renewal_progress(enrollment, module.pk)
    if progress is None:
        return None
    if progress.content_done_at is None:
        progress.content_done_at = at or timezone.now()
        progress.page_revision_id = module.live_revision_id
        progress.save(update_fields=["content_done_at", "page_revision"])
    return _complete_module(enrollment, progress)


def record_quiz_passed(
    *, enrollment: Enrollment, module_id: int, at=None
) -> RenewalProgress | None:
    """Within the caller's transaction, holding the enrollment's row lock: records a pass in
    the open refresher, if a passed attempt of this enrollment at the module was started during
    it (an older attempt, e.g. an essay marked late, never counts as refreshed)."""
    at = at or timezone.now()
    progress = _renewal_progress(enrollment, module_id)
    if progress is None:
        return None
    passed_since_start = Sitting.objects.filter(
        enrollment=enrollment,
        module_id=module_id,
        complete=True,
        passed=True,
        started_at__gte=progress.renewal.started_at,
    )
    if not passed_since_start.exists():
        return None
    if progress.quiz_passed_at is None:
        progress.quiz_passed_at = at
        progress.save(update_fields=["quiz_passed_at"])
    return _complete_module(enrollment, progress)


def _complete_module(enrollment: Enrollment, progress: RenewalProgress) -> RenewalProgress:
    if progress.completed_at is None and progress.content_done_at is not None:
        if module_quiz(progress.module_id) is None or progress.quiz_passed_at is not None:
            progress.completed_at = timezone.now()
            progress.save(update_fields=["completed_at"])
    renewal = progress.renewal
    if progress.completed_at is not None and renewal.completed_at is None:
        needed = {m.pk for m in renewal_modules(enrollment.course)}
        done = set(
            renewal.progress.filter(completed_at__isnull=False).values_list("module_id", flat=True)
        )
        if needed <= done:
            renewal.completed_at = timezone.now()
            renewal.save(update_fields=["completed_at"])
            # The same event as the first completion: the certificate task issues what the
            # enrollment has earned, now the renewed certificate.
            events.announce_enrollment_completed(enrollment.pk)
    return progress


# --- Reads --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenewalModule:
    module: object
    progress: RenewalProgress | None

    @property
    def complete(self) -> bool:
        return bool(self.progress and self.progress.completed_at)

    @property
    def read(self) -> bool:
        return bool(self.progress and self.progress.content_done_at)


@dataclass(frozen=True)
class RenewalOverview:
    renewal: Renewal
    modules: list[RenewalModule]

    @property
    def done(self) -> int:
        return sum(1 for m in self.modules if m.complete)

    @property
    def total(self) -> int:
        return len(self.modules)


def renewal_for_certificate(certificate_id) -> Renewal | None:
    return Renewal.objects.filter(renews=certificate_id).first()


def renewal_overview(renewal: Renewal) -> RenewalOverview:
    """The refresher's modules in reading order with what the person repeated: two queries
    (the course outline comes from the tree's memo)."""
    enrollment = Enrollment.objects.select_related("course").get(pk=renewal.enrollment_id)
    rows = {p.module_id: p for p in renewal.progress.all()}
    return RenewalOverview(
        renewal=renewal,
        modules=[
            RenewalModule(module=m, progress=rows.get(m.pk))
            for m in renewal_modules(enrollment.course)
        ],
    )


def modules_to_repeat(enrollment_id: int) -> list:
    """The modules a refresher of this enrollment repeats, in reading order."""
    enrollment = Enrollment.objects.select_related("course").get(pk=enrollment_id)
    return renewal_modules(enrollment.course)


def module_in_open_renewal(enrollment: Enrollment, module) -> tuple[Renewal, RenewalProgress]:
    """For the module page: the open refresher and this module's row in it (an unsaved empty
    row before the person starts it), or (None, None) when the module is not being refreshed."""
    renewal = open_renewal(enrollment.pk)
    if renewal is None:
        return None, None
    if module.pk not in {m.pk for m in renewal_modules(enrollment.course)}:
        return None, None
    progress = renewal.progress.filter(module_id=module.pk).first()
    return renewal, progress or RenewalProgress(renewal=renewal, module_id=module.pk)


def attempts_towards_limit(enrollment: Enrollment, module, quiz, used: int | None = None) -> int:
    """The attempts at the module's quiz that count towards its limit: all (``used``, when
    the caller has counted them), but in a refresher repeating the module only those started
    since it began (the limit starts afresh)."""
    attempts = Sitting.objects.filter(user_id=enrollment.user_id, quiz=quiz)
    renewal = None
    if enrollment.completed_at is not None:
        renewal, _progress = module_in_open_renewal(enrollment, module)
    if renewal is not None:
        return attempts.filter(started_at__gte=renewal.started_at).count()
    return attempts.count() if used is None else used


def completed_refreshers():
    """The ids of certificates whose refresher is complete (a subquery)."""
    return Renewal.objects.filter(completed_at__isnull=False).values("renews")
