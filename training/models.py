"""Per-person learning state: cohorts, enrollments, module progress, quizzes and their sittings."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    PreviewableMixin,
    RevisionMixin,
    WorkflowMixin,
)
from wagtail.search import index

from cms.models import CompetenceArea
from training import scoring
from training.quiz_blocks import QuestionStreamBlock

SINGLE_ATTEMPT_CONFLICT = _("Bei «Nur ein Versuch» ist höchstens ein Versuch möglich.")


class Cohort(models.Model):
    """A run of the course for an organisation."""

    name = models.CharField(_("Name"), max_length=200)
    organisation = models.CharField(_("Organisation"), max_length=200)
    course = models.ForeignKey(
        "cms.CoursePage", on_delete=models.PROTECT, related_name="+", verbose_name=_("Kurs")
    )
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="trained_cohorts",
        verbose_name=_("Trainer:innen"),
    )
    starts_on = models.DateField(_("Beginn"), null=True, blank=True)
    ends_on = models.DateField(_("Ende"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("organisation"),
        FieldPanel("course"),
        FieldPanel("trainers"),
        FieldPanel("starts_on"),
        FieldPanel("ends_on"),
    ]

    class Meta:
        verbose_name = _("Kursdurchführung")
        verbose_name_plural = _("Kursdurchführungen")
        ordering = ["-starts_on", "name"]
        # Trainers supervise the cohorts they train; holders of this permission supervise all.
        permissions = [("supervise_all_cohorts", _("Kann alle Kursdurchführungen betreuen"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="cohort_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.organisation})"


class Enrollment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    course = models.ForeignKey("cms.CoursePage", on_delete=models.PROTECT, related_name="+")
    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, related_name="enrollments", null=True, blank=True
    )
    enrolled_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Trainer workspace: unenrolling is a soft state, so progress, sittings and history stay.
    unenrolled_at = models.DateTimeField(_("Ausgetragen am"), null=True, blank=True)
    organisation_unit = models.ForeignKey(
        "training.OrganisationUnit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enrollments",
        verbose_name=_("Organisationseinheit"),
    )

    class Meta:
        verbose_name = _("Einschreibung")
        verbose_name_plural = _("Einschreibungen")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="one_enrollment_per_course")
        ]

    def __str__(self):
        return f"{self.user} – {self.course_id}"


class ModuleProgress(models.Model):
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="progress")
    module = models.ForeignKey("cms.ModulePage", on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    content_done_at = models.DateTimeField(null=True, blank=True)
    quiz_passed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The page revision the participant read when marking the content done (for the certificate).
    page_revision = models.ForeignKey(
        "wagtailcore.Revision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("Modulfortschritt")
        verbose_name_plural = _("Modulfortschritte")
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "module"], name="one_progress_per_module")
        ]

    def __str__(self):
        return f"{self.enrollment_id}/{self.module_id}"


class Quiz(
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    PreviewableMixin,
    index.Indexed,
    models.Model,
):
    """A module's knowledge check, authored as a Wagtail snippet with drafts and moderation."""

    title = models.CharField(_("Titel"), max_length=255)
    description = models.TextField(_("Einleitung"), blank=True)
    category = models.CharField(
        _("Kompetenzbereich"), max_length=40, choices=CompetenceArea.choices, blank=True
    )
    questions = StreamField(QuestionStreamBlock(), verbose_name=_("Fragen"), blank=True)
    random_order = models.BooleanField(_("Fragen in zufälliger Reihenfolge"), default=False)
    max_questions = models.PositiveSmallIntegerField(
        _("Anzahl Fragen pro Versuch"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leer lassen für alle Fragen; sonst wird diese Anzahl aus dem Pool gezogen."),
    )
    questions_per_category = models.PositiveSmallIntegerField(
        _("Fragen pro Kategorie"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Optional: so viele Fragen werden je Kategorie (Feld «Kategorie» der Fragen) "
            "gezogen, bevor die Anzahl pro Versuch gilt."
        ),
    )
    answers_at_end = models.BooleanField(
        _("Auflösung erst am Ende"),
        default=False,
        help_text=_("Keine Rückmeldung nach jeder Frage, sondern erst auf der Ergebnisseite."),
    )
    exam_paper = models.BooleanField(
        _("Prüfungsbögen aufbewahren"),
        default=True,
        help_text=_("Jeder Versuch bleibt für Trainer:innen einsehbar."),
    )
    single_attempt = models.BooleanField(_("Nur ein Versuch"), default=False)
    max_attempts = models.PositiveSmallIntegerField(
        _("Höchstzahl Versuche"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leer lassen für beliebig viele Versuche."),
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("Zeitlimit (Minuten)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text=_("Leer lassen für keine Zeitbegrenzung. Der Server prüft das Limit."),
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("Bestehensgrenze (%)"), default=60, validators=[MaxValueValidator(100)]
    )
    success_text = models.TextField(_("Text bei Bestehen"), blank=True)
    fail_text = models.TextField(_("Text bei Nichtbestehen"), blank=True)
    one_question_per_page = models.BooleanField(
        _("Eine Frage pro Seite"),
        default=True,
        help_text=_("Sonst stehen alle Fragen auf einer Seite und werden zusammen abgegeben."),
    )

    revisions = GenericRelation("wagtailcore.Revision", related_query_name="quiz")
    workflow_states = GenericRelation(
        "wagtailcore.WorkflowState",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="quiz",
        for_concrete_model=False,
    )

    panels = [
        FieldPanel("title"),
        FieldPanel("description"),
        FieldPanel("category"),
        FieldPanel("questions"),
        MultiFieldPanel(
            [
                FieldPanel("pass_mark"),
                FieldPanel("random_order"),
                FieldPanel("max_questions"),
                FieldPanel("questions_per_category"),
                FieldPanel("one_question_per_page"),
                FieldPanel("answers_at_end"),
                FieldPanel("single_attempt"),
                FieldPanel("max_attempts"),
                FieldPanel("time_limit_minutes"),
                FieldPanel("exam_paper"),
            ],
            heading=_("Einstellungen"),
        ),
        FieldPanel("success_text"),
        FieldPanel("fail_text"),
    ]
    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]

    class Meta:
        verbose_name = _("Lernkontrolle")
        verbose_name_plural = _("Lernkontrollen")

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.single_attempt and self.max_attempts not in (None, 1):
            raise ValidationError({"max_attempts": SINGLE_ATTEMPT_CONFLICT})

    @property
    def attempt_limit(self) -> int | None:
        return 1 if self.single_attempt else self.max_attempts

    def get_preview_template(self, request, mode_name):
        return "training/quiz_preview.html"


class Sitting(models.Model):
    """One attempt at a quiz, pinned to the quiz revision it started on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sittings"
    )
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="sittings")
    quiz_revision = models.ForeignKey(
        "wagtailcore.Revision", on_delete=models.PROTECT, related_name="+"
    )
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="sittings", null=True, blank=True
    )
    module = models.ForeignKey(
        "cms.ModulePage", on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    attempt_number = models.PositiveSmallIntegerField(default=1)
    question_order = models.JSONField(default=list)
    answers = models.JSONField(default=dict, blank=True)
    score = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    max_score = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    passed = models.BooleanField(null=True, blank=True)
    complete = models.BooleanField(default=False)
    needs_marking = models.BooleanField(default=False)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Moodle-style sequence check: each answer form carries the value it was rendered with, and
    # every accepted answer increments it, so a stale or replayed form is recognised.
    sequence = models.PositiveIntegerField(default=0)
    deadline_at = models.DateTimeField(null=True, blank=True)
    timed_out = models.BooleanField(default=False)
    # With exam_paper off, the answers are discarded when the attempt is finished and marked.
    answers_discarded = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("Versuch")
        verbose_name_plural = _("Versuche")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "quiz", "attempt_number"], name="one_sitting_per_attempt_number"
            ),
            models.UniqueConstraint(
                fields=["user", "quiz"],
                condition=Q(complete=False),
                name="one_open_sitting_per_quiz",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=models.F("max_score")),
                name="sitting_score_within_max",
            ),
        ]
        indexes = [
            models.Index(fields=["quiz", "complete"], name="sitting_quiz_complete"),
            models.Index(
                fields=["finished_at"],
                condition=Q(needs_marking=True),
                name="sitting_needs_marking",
            ),
        ]
        permissions = [("mark_essays", _("Kann Freitextantworten bewerten"))]

    def __str__(self):
        return f"{self.quiz_id} #{self.attempt_number} ({self.user_id})"

    @property
    def percent(self) -> int:
        return scoring.percent(self.score, self.max_score)


# --- Trainer workspace ------------------------------------------------------------------------
# Organisation units, enrollment history and the background jobs of imports and exports.
# Writes: training.workspace_services; reads: training.report_selectors.


class OrganisationUnit(models.Model):
    """A unit of a participant's employer (e.g. "Einwohnerdienste"), named in imports.

    Its leads (role *Dienststellenleitung*) see aggregates of the unit, never individuals.
    """

    organisation = models.CharField(_("Organisation"), max_length=200)
    name = models.CharField(_("Name"), max_length=200)
    leads = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="led_organisation_units",
        verbose_name=_("Dienststellenleitung"),
    )

    panels = [FieldPanel("organisation"), FieldPanel("name"), FieldPanel("leads")]

    class Meta:
        verbose_name = _("Organisationseinheit")
        verbose_name_plural = _("Organisationseinheiten")
        ordering = ["organisation", "name"]
        permissions = [
            ("view_unit_aggregates", _("Kann Kennzahlen der eigenen Organisationseinheiten sehen"))
        ]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="one_unit_per_name")
        ]

    def __str__(self):
        return f"{self.name} ({self.organisation})"


class EnrollmentEvent(models.Model):
    """What happened to an enrollment, by whom and when (enrolled, unenrolled, invited, ...)."""

    class Action(models.TextChoices):
        ENROLLED = "enrolled", _("Eingeschrieben")
        IMPORTED = "imported", _("Importiert")
        UNENROLLED = "unenrolled", _("Ausgetragen")
        REENROLLED = "reenrolled", _("Wieder eingeschrieben")
        INVITED = "invited", _("Einladung versandt")

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("Aktion"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Durch"),
    )
    at = models.DateTimeField(_("Zeitpunkt"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("Einschreibungsereignis")
        verbose_name_plural = _("Einschreibungsereignisse")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.enrollment_id}: {self.action}"


class WorkspaceJob(models.Model):
    """A participant import or a report export, run in the request or by a Celery worker.

    An import is validated first (status *preview*, nothing written); confirming it queues the
    import itself. Progress while running lives in the cache (see workspace_services).
    """

    class Kind(models.TextChoices):
        IMPORT = "import", _("Import von Teilnehmenden")
        REPORT_EXPORT = "report_export", _("Export des Berichts")
        PARTICIPANTS_EXPORT = "participants_export", _("Export der Teilnehmendenliste")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Wartet")
        RUNNING = "running", _("Läuft")
        PREVIEW = "preview", _("Vorschau bereit")
        DONE = "done", _("Fertig")
        FAILED = "failed", _("Fehlgeschlagen")

    kind = models.CharField(_("Art"), max_length=30, choices=Kind.choices)
    status = models.CharField(
        _("Status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="workspace_jobs", verbose_name=_("Kurs")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workspace_jobs"
    )
    params = models.JSONField(default=dict, blank=True)
    upload = models.FileField(upload_to="arbeitsbereich/importe/", blank=True, max_length=255)
    upload_name = models.CharField(max_length=255, blank=True)
    result_file = models.FileField(upload_to="arbeitsbereich/exporte/", blank=True, max_length=255)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(_("Grund"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Import/Export-Auftrag")
        verbose_name_plural = _("Import/Export-Aufträge")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class EssayMark(models.Model):
    """Audit trail of essay marking: one row per mark given (a correction adds a row)."""

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="essay_marks")
    block_id = models.CharField(max_length=64)
    old_points = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    new_points = models.DecimalField(max_digits=7, decimal_places=2)
    feedback = models.TextField(blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    marked_by_name = models.CharField(max_length=300)
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Bewertung einer Freitextantwort")
        verbose_name_plural = _("Bewertungen von Freitextantworten")
        ordering = ["marked_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(new_points__gte=0), name="essay_mark_not_negative")
        ]

    def __str__(self):
        return f"{self.sitting_id}/{self.block_id}: {self.new_points}"


from training.regrade_models import QuestionRegrade  # noqa: E402,F401  (regrades, see there)
