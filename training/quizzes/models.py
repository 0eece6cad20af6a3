"""The quiz engine's rows: the Quiz snippet (drafts, revisions, workflow) and its sittings, in the
training app (same app label and tables as before the quiz engine became its own package)."""

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
from training.quizzes import scoring
from training.quizzes.blocks import QuestionStreamBlock

SINGLE_ATTEMPT_CONFLICT = _("Bei «Nur ein Versuch» ist höchstens ein Versuch möglich.")


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
        "training.Enrollment",
        on_delete=models.CASCADE,
        related_name="sittings",
        null=True,
        blank=True,
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


class QuestionRegrade(models.Model):
    """The course lead corrected a faulty question of a quiz revision after the fact."""

    class Kind(models.TextChoices):
        FULL_CREDIT = "full_credit", _("Volle Punktzahl für alle")
        ACCEPT_OPTION = "accept_option", _("Zusätzliche Antwort als richtig werten")

    quiz = models.ForeignKey(
        "training.Quiz", on_delete=models.CASCADE, related_name="regrades", verbose_name=_("Quiz")
    )
    quiz_revision = models.ForeignKey(
        "wagtailcore.Revision", on_delete=models.PROTECT, related_name="+"
    )
    question_id = models.CharField(_("Frage"), max_length=64)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    option_id = models.CharField(_("Antwort"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("Zeitpunkt"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Ausgeführt von"),
    )
    sittings_rescored = models.PositiveIntegerField(_("Neu bewertete Versuche"), default=0)

    class Meta:
        verbose_name = _("Neubewertung")
        verbose_name_plural = _("Neubewertungen")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz_revision", "question_id", "kind", "option_id"],
                name="one_regrade_per_question_kind_option",
            )
        ]

    def __str__(self):
        return f"{self.quiz_revision_id}/{self.question_id}: {self.kind} {self.option_id}".strip()
