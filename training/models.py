"""Per-person learning state: cohorts, enrollments, module progress, organisation units and
enrollment history. The quiz engine's rows (Quiz, Sitting, EssayMark, QuestionRegrade) are
defined in training/quizzes/models.py and belong to this app; importing them here registers
them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from training.quizzes.models import EssayMark, QuestionRegrade, Quiz, Sitting
from training.transfer.models import TransferTask

__all__ = [
    "Cohort",
    "CourseRules",
    "Enrollment",
    "EnrollmentEvent",
    "EssayMark",
    "ModuleProgress",
    "OrganisationUnit",
    "QuestionRegrade",
    "Quiz",
    "Sitting",
    "TransferTask",
]


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


class CourseRules(models.Model):
    """What completes a course besides its required modules, set by the Kursleitung per course
    (training.completion reads it; a course without rules needs its modules only)."""

    course = models.OneToOneField(
        "cms.CoursePage",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("Kurs"),
    )
    final_exam = models.ForeignKey(
        Quiz,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Abschlussprüfung"),
        help_text=_(
            "Eine veröffentlichte Lernkontrolle über alle Lernbereiche. Sie wird freigeschaltet, "
            "wenn alle Pflichtmodule abgeschlossen sind; bestanden ist sie Voraussetzung für das "
            "Zertifikat."
        ),
    )

    class TransferTasks(models.TextChoices):
        OFF = "off", _("Keine Praxisaufträge")
        OPTIONAL = "optional", _("Angeboten, zählen nicht für den Abschluss")
        REQUIRED = "required", _("Angeboten; angenommen nötig für den Abschluss")

    transfer_tasks = models.CharField(
        _("Praxisaufträge je Lernbereich"),
        max_length=20,
        choices=TransferTasks.choices,
        default=TransferTasks.OFF,
        help_text=_(
            "Teilnehmende beschreiben, wie sie den Lernbereich am Arbeitsplatz angewendet haben; "
            "eine Trainerin oder ein Trainer nimmt den Auftrag an oder bittet um Überarbeitung."
        ),
    )
    improvement_board = models.BooleanField(
        _("Verbesserungsideen anbieten"),
        default=False,
        help_text=_("Teilnehmende können Ideen einreichen; freigegebene sieht ihre Gruppe."),
    )

    panels = [
        FieldPanel("course"),
        FieldPanel("final_exam"),
        FieldPanel("transfer_tasks"),
        FieldPanel("improvement_board"),
    ]

    class Meta:
        verbose_name = _("Abschlussregeln")
        verbose_name_plural = _("Abschlussregeln")

    def __str__(self):
        return str(self.course)

    @property
    def offers_transfer_tasks(self) -> bool:
        return self.transfer_tasks != self.TransferTasks.OFF


# --- Trainer workspace ------------------------------------------------------------------------
# Organisation units, enrollment history and the background jobs of imports and exports.
# Writes: workspace.services; reads: workspace.report.


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
