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

from cms.blocks import RICH_TEXT_FEATURES, STANDARD_PAGE_FEATURES, ModuleBodyBlock


class CompetenceArea(models.TextChoices):
    FACHKOMPETENZ = "fachkompetenz", _("Fachkompetenz")
    PERSONALE_KOMPETENZ = "personale_kompetenz", _("Personale Kompetenz")
    SOZIAL_KOMMUNIKATIVE_KOMPETENZ = (
        "sozial_kommunikative_kompetenz",
        _("Sozial-kommunikative Kompetenz"),
    )


class TreeFactsMixin:
    """Tree facts every view of the page reads, from the memo of the tree (``cms.tree_cache``)
    instead of the database: the view restrictions Wagtail checks before serving, and the
    ancestors the breadcrumbs show."""

    def get_view_restrictions(self):
        from cms.selectors import view_restrictions

        return view_restrictions(self)

    def breadcrumb_ancestors(self):
        from cms.selectors import breadcrumb_ancestors

        return breadcrumb_ancestors(self)


class HomePage(TreeFactsMixin, Page):
    intro = RichTextField(_("Einleitung"), features=RICH_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.CoursePage", "cms.StandardPage"]
    max_count = 1

    class Meta:
        verbose_name = _("Startseite")

    def route(self, request, path_components):
        """Finds the page for a URL by its ``url_path`` (two queries, or none once the tree's memo
        holds it) instead of two queries per tree level.

        Wagtail keeps every page's ``url_path`` up to date, and no page type below the home page
        routes sub-paths of its own; should one ever do, the standard walk still answers.
        """
        from cms.selectors import page_at

        if path_components:
            url_path = self.url_path + "/".join(path_components) + "/"
            page = page_at(self, url_path)
            if page is not None:
                return page.route(request, [])
        return super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import course_outline

        context = super().get_context(request, *args, **kwargs)
        context["courses"] = [
            {"course": course, "sections": course_outline(course)}
            for course in CoursePage.objects.live().child_of(self).order_by("path")
        ]
        return context


class CoursePage(TreeFactsMixin, Page):
    subtitle = models.CharField(_("Untertitel"), max_length=250, blank=True)
    intro = RichTextField(_("Einleitung"), features=RICH_TEXT_FEATURES, blank=True)
    validity_months = models.PositiveSmallIntegerField(
        _("Gültigkeit des Zertifikats (Monate)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_(
            "Leer lassen, wenn das Zertifikat unbefristet gilt. Sonst zeigen Zertifikat, "
            "digitaler Nachweis und Prüfseite «gültig bis», danach «abgelaufen»."
        ),
    )

    content_panels = [*Page.content_panels, FieldPanel("subtitle"), FieldPanel("intro")]
    settings_panels = [*Page.settings_panels, FieldPanel("validity_months")]
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
        context["module_count"] = sum(len(o.modules) for o in context["sections"])
        total_minutes = sum(o.total_minutes for o in context["sections"])
        context["total_hours"] = round(total_minutes / 30) / 2  # to the half hour
        return context


class SectionPage(TreeFactsMixin, Page):
    """A competence area of the course. ``order`` sets the reading order, not the tree position."""

    competence_area = models.CharField(
        _("Kompetenzbereich"), max_length=40, choices=CompetenceArea.choices
    )
    intro = RichTextField(_("Einleitung"), features=RICH_TEXT_FEATURES, blank=True)
    order = models.PositiveSmallIntegerField(
        _("Reihenfolge"),
        default=1,
        help_text=_(
            "Position des Lernbereichs im Kurs (1 = zuerst). Die Module eines Lernbereichs "
            "ordnen Sie im Seitenbaum mit «Reihenfolge ändern»."
        ),
    )

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
        from cms.selectors import section_modules

        context = super().get_context(request, *args, **kwargs)
        context["modules"] = section_modules(self)
        context["total_minutes"] = sum(m.estimated_minutes for m in context["modules"])
        return context


class ModulePage(TreeFactsMixin, Page):
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
        from cms.selectors import module_position

        context = super().get_context(request, *args, **kwargs)
        context["position"] = module_position(self)
        context["previous_module"] = context["position"].previous_module
        context["next_module"] = context["position"].next_module
        return context


class StandardPage(TreeFactsMixin, Page):
    """A plain page for texts beside the course: privacy notice, accessibility statement, …"""

    body = RichTextField(_("Inhalt"), features=STANDARD_PAGE_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("Inhaltsseite")
        verbose_name_plural = _("Inhaltsseiten")
