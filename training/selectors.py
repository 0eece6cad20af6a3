"""Read-side queries of participants' learning state. Derived figures (progress, percentages)
are computed here from the rows, never stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import F, FilteredRelation, Q
from django.utils.translation import gettext_lazy as _

from accounts.selectors import ERASED_USERNAME_PREFIX
from training.models import Cohort, Enrollment, ModuleProgress, Sitting
from training.quizzes import scoring
from training.quizzes.selectors import live_quiz_state, quiz_id_in_body
from training.renewals import module_in_open_renewal


def _enrollments_for_module(user, module):
    """The user's enrollments in a course above the module. The course's place in the tree
    is one of the module's path prefixes (treebeard's materialised path): a join on the page
    row instead of a subquery for the module's ancestors, cheaper to build and to run."""
    steplen = module.steplen
    ancestor_paths = [module.path[:end] for end in range(steplen, len(module.path), steplen)]
    return Enrollment.objects.filter(user=user, course__path__in=ancestor_paths).select_related(
        "cohort"
    )


def enrollment_for_module(user, module) -> Enrollment | None:
    """The user's enrollment in the course the module belongs to."""
    if user is None or not user.is_authenticated:
        return None
    return _enrollments_for_module(user, module).first()


_PROGRESS_FIELDS = [f.attname for f in ModuleProgress._meta.concrete_fields]
_SITTING_FIELDS = [f.attname for f in Sitting._meta.concrete_fields]


def enrollment_with_progress(user, module) -> tuple[Enrollment | None, ModuleProgress | None]:
    """The user's enrollment in the module's course and their progress row for the module,
    in one query (the progress row joined in; None when the module is not started)."""
    row = (
        _enrollments_for_module(user, module)
        .annotate(own=FilteredRelation("progress", condition=Q(progress__module=module.pk)))
        .annotate(**{f"own_{f}": F(f"own__{f}") for f in _PROGRESS_FIELDS})
        .first()
    )
    if row is None:
        return None, None
    values = [getattr(row, f"own_{f}") for f in _PROGRESS_FIELDS]
    if values[_PROGRESS_FIELDS.index("id")] is None:
        return row, None
    progress = ModuleProgress.from_db(row._state.db, _PROGRESS_FIELDS, values)
    progress.enrollment = row
    return row, progress


def module_panel(user, module) -> dict:
    """Everything the module page's progress panel shows for this person."""
    if user is None or not user.is_authenticated:
        return {"state": "anonymous"}
    enrollment, progress = enrollment_with_progress(user, module)
    if enrollment is None:
        return {"state": "not_enrolled"}
    if enrollment.unenrolled_at is not None:
        return {"state": "unenrolled", "enrollment": enrollment, "progress": progress}
    quiz_id = quiz_id_in_body(module)
    renewal = None
    if enrollment.completed_at is not None:
        renewal, renewal_progress = module_in_open_renewal(enrollment, module)
    if renewal is not None:
        # The refresher repeats this module: the panel shows what is repeated since it began.
        return {
            "state": "enrolled",
            "enrollment": enrollment,
            "renewal": renewal,
            "progress": renewal_progress,
            "quiz": live_quiz_state(user, quiz_id, since=renewal.started_at) if quiz_id else None,
        }
    return {
        "state": "enrolled",
        "enrollment": enrollment,
        "progress": progress,
        "quiz": live_quiz_state(user, quiz_id) if quiz_id else None,
    }


# --- The dashboard -------------------------------------------------------------------------


@dataclass
class ModuleStatus:
    module: object
    progress: ModuleProgress | None

    @property
    def complete(self) -> bool:
        return bool(self.progress and self.progress.completed_at)

    @property
    def state(self) -> str:
        if self.complete:
            return "complete"
        if self.progress and self.progress.content_done_at:
            return "quiz_open"
        if self.progress and self.progress.quiz_passed_at:
            return "read_open"
        if self.progress:
            return "started"
        return "open"

    @property
    def state_display(self) -> tuple[str, str, str]:
        """The state as Mein Lernstand shows it: CSS class, a mark and the label."""
        return MODULE_STATE_DISPLAY[self.state]


MODULE_STATE_DISPLAY = {
    "complete": ("status status--ok", "✓ ", _("abgeschlossen")),
    "quiz_open": ("status status--pending", "", _("gelesen, Lernkontrolle noch nicht bestanden")),
    "read_open": (
        "status status--pending",
        "",
        _("Lernkontrolle bestanden, Inhalt noch nicht als gelesen markiert"),
    ),
    "started": ("status", "", _("begonnen")),
    "open": ("status", "", _("noch offen")),
}


@dataclass
class SectionProgress:
    section: object
    modules: list[ModuleStatus]

    @property
    def required(self) -> list[ModuleStatus]:
        return [m for m in self.modules if m.module.required]

    @property
    def done(self) -> int:
        return sum(1 for m in self.required if m.complete)

    @property
    def total(self) -> int:
        return len(self.required)

    @property
    def percent(self) -> int:
        return scoring.percent(self.done, self.total, empty=100)


@dataclass
class EnrollmentOverview:
    enrollment: Enrollment
    sections: list[SectionProgress]
    sittings: list[Sitting] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(s.done for s in self.sections)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)

    @property
    def percent(self) -> int:
        return scoring.percent(self.done, self.total, empty=100)

    @property
    def next_module(self):
        """Weiterlernen: the first module in reading order not complete (required ones first)."""
        statuses = [m for s in self.sections for m in s.modules]
        for candidates in ([m for m in statuses if m.module.required], statuses):
            for status in candidates:
                if not status.complete:
                    return status
        return None

    @property
    def pending(self) -> list[Sitting]:
        return [s for s in self.sittings if s.complete and s.needs_marking]


_DASHBOARD_SITTING_FIELDS = (
    "enrollment",
    "attempt_number",
    "started_at",
    "finished_at",
    "complete",
    "passed",
    "score",
    "max_score",
    "needs_marking",
    "quiz",
    "quiz__title",
)


def dashboard_for(user) -> dict:
    """Mein Lernstand: per enrollment the sections with module states, the next module, the
    attempts and pending essays. A fixed number of queries per enrollment."""
    from cms.selectors import course_outline

    overviews = []
    # The course page only for its title and place in the tree (the outline is memoised).
    enrollments = (
        Enrollment.objects.filter(user=user)
        .select_related("cohort", "course")
        .only(
            *(f.attname for f in Enrollment._meta.concrete_fields),
            "cohort__name",
            "course__title",
            "course__path",
            "course__depth",
        )
    )
    for enrollment in enrollments:
        progress = {p.module_id: p for p in enrollment.progress.all()}
        sections = [
            SectionProgress(
                section=outline.section,
                modules=[
                    ModuleStatus(module=m, progress=progress.get(m.pk)) for m in outline.modules
                ],
            )
            for outline in course_outline(enrollment.course)
        ]
        # What the attempts table and the pending list show; the quizzes' questions stay unread.
        sittings = list(
            enrollment.sittings.select_related("quiz")
            .only(*_DASHBOARD_SITTING_FIELDS)
            .order_by("-started_at", "-pk")
        )
        overviews.append(
            EnrollmentOverview(enrollment=enrollment, sections=sections, sittings=sittings)
        )
    return {"overviews": overviews, "enrollments": [o.enrollment for o in overviews]}


# --- For reminders and the trainers' digest (certificates.reminders, certificates.digest) -----


@dataclass(frozen=True)
class OpenWork:
    enrollment: Enrollment
    last_activity: datetime
    open_required: list  # ModulePage, in course order


def open_required_work(enrollments) -> list[OpenWork]:
    """Per enrollment: the last moment of progress and the required modules still open."""
    from cms.selectors import course_modules

    enrollments = list(enrollments)
    if not enrollments:
        return []
    done, last = {}, {}
    rows = ModuleProgress.objects.filter(enrollment__in=enrollments).values(
        "enrollment_id", "module_id", "completed_at", "started_at", "content_done_at"
    )
    for row in rows:
        for moment in (row["started_at"], row["completed_at"], row["content_done_at"]):
            if moment and moment > last.get(row["enrollment_id"], moment - timedelta(1)):
                last[row["enrollment_id"]] = moment
        if row["completed_at"]:
            done.setdefault(row["enrollment_id"], set()).add(row["module_id"])
    modules_by_course = {}
    result = []
    for enrollment in enrollments:
        if enrollment.course_id not in modules_by_course:
            modules_by_course[enrollment.course_id] = course_modules(enrollment.course)
        required = [m for m in modules_by_course[enrollment.course_id] if m.required]
        open_required = [m for m in required if m.pk not in done.get(enrollment.pk, set())]
        result.append(
            OpenWork(
                enrollment=enrollment,
                last_activity=max(
                    last.get(enrollment.pk, enrollment.enrolled_at), enrollment.enrolled_at
                ),
                open_required=open_required,
            )
        )
    return result


def active_enrollments():
    """Enrollments still under way (not completed, not left), of people not erased."""
    return (
        Enrollment.objects.filter(completed_at__isnull=True, unenrolled_at__isnull=True)
        .exclude(user__username__startswith=ERASED_USERNAME_PREFIX)
        .select_related("user", "course", "cohort")
    )


def cohort_members(cohort) -> list[Enrollment]:
    """The cohort's enrollments (not left), of people not erased."""
    return list(
        Enrollment.objects.filter(cohort=cohort, unenrolled_at__isnull=True)
        .exclude(user__username__startswith=ERASED_USERNAME_PREFIX)
        .select_related("course")
    )


def required_modules_done(enrollments, module_ids) -> int:
    """How many (enrollment, required module) pairs are completed."""
    return ModuleProgress.objects.filter(
        enrollment__in=enrollments, completed_at__isnull=False, module_id__in=module_ids
    ).count()


def cohorts_running_since(day):
    """Cohorts without an end date or ending on or after ``day``, with course and trainers."""
    return (
        Cohort.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .select_related("course")
        .prefetch_related("trainers")
    )


def calendar_enrollments(user):
    """The person's enrollments (not left) with cohort and course, for the calendar feed."""
    return Enrollment.objects.filter(user=user, unenrolled_at__isnull=True).select_related(
        "cohort", "course"
    )
