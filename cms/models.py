"""The course as Wagtail pages. Pages hold content only; per-person state lives in training."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import RICH_TEXT_FEATURES, ModuleBodyBlock


class CompetenceArea(models.TextChoices):
    FACHKOMPETENZ = "fachkompetenz", _("Fachkompetenz")
    PERSONALE_KOMPETENZ = "personale_kompetenz", _("Personale Kompetenz")
    SOZIAL_KOMMUNIKATIVE_KOMPETENZ = (
        "sozial_kommunikative_kompetenz",
        _("Sozial-kommunikative Kompetenz"),
    )


class HomePage(Page):
    intro = RichTextField(_("Einleitung"), features=RICH_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.CoursePage"]
    max_count = 1

    class Meta:
        verbose_name = _("Startseite")

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import course_outline

        context = super().get_context(request, *args, **kwargs)
        context["courses"] = [
            {"course": course, "sections": course_outline(course)}
            for course in CoursePage.objects.live().child_of(self).order_by("path")
        ]
        return context


class CoursePage(Page):
    subtitle = models.CharField(_("Untertitel"), max_length=250, blank=True)
    intro = RichTextField(_("Einleitung"), features=RICH_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("subtitle"), FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.SectionPage"]

    class Meta:
        verbose_name = _("Kurs")
        verbose_name_plural = _("Kurse")

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import course_outline

        context = super().get_context(request, *args, **kwargs)
        context["sections"] = course_outline(self)
        return context


class SectionPage(Page):
    competence_area = models.CharField(
        _("Kompetenzbereich"), max_length=40, choices=CompetenceArea.choices
    )
    intro = RichTextField(_("Einleitung"), features=RICH_TEXT_FEATURES, blank=True)
    order = models.PositiveSmallIntegerField(_("Reihenfolge"), default=1)

    content_panels = [
        *Page.content_panels,
        FieldPanel("competence_area"),
        FieldPanel("order"),
        FieldPanel("intro"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["cms.CoursePage"]
    subpage_types = ["cms.ModulePage"]

    class Meta:
        verbose_name = _("Lernbereich")
        verbose_name_plural = _("Lernbereiche")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["modules"] = ModulePage.objects.live().child_of(self).order_by("path")
        return context


class ModulePage(Page):
    teaser = models.TextField(_("Kurzbeschreibung"), max_length=500, blank=True)
    learning_objectives = StreamField(
        [("objective", blocks.CharBlock(label=_("Lernziel"), max_length=300))],
        verbose_name=_("Lernziele"),
        blank=True,
    )
    estimated_minutes = models.PositiveSmallIntegerField(
        _("Geschätzte Dauer (Minuten)"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
    )
    required = models.BooleanField(
        _("Pflichtmodul"),
        default=True,
        help_text=_("Pflichtmodule müssen für das Zertifikat abgeschlossen sein."),
    )
    body = StreamField(ModuleBodyBlock(), verbose_name=_("Inhalt"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("teaser"),
        FieldPanel("learning_objectives"),
        FieldPanel("estimated_minutes"),
        FieldPanel("required"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("teaser"),
        index.SearchField("body"),
        index.SearchField("learning_objectives"),
    ]
    parent_page_types = ["cms.SectionPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("Modul")
        verbose_name_plural = _("Module")

    @cached_property
    def section(self):
        return SectionPage.objects.filter(pk=self.get_parent().pk).first()

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import module_neighbours

        context = super().get_context(request, *args, **kwargs)
        context["previous_module"], context["next_module"] = module_neighbours(self)
        return context
