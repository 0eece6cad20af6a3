"""The course as Wagtail pages. Pages hold content only; per-person state lives in training."""

from dataclasses import dataclass

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
from cms.tree import breadcrumb_ancestors, page_at, view_restrictions
from cms.tree_cache import memoised


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
        return view_restrictions(self)

    def breadcrumb_ancestors(self):
        return breadcrumb_ancestors(self)


class HomePage(TreeFactsMixin, Page):
    intro = RichTextField(_("Einleitung"), features=RICH_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.CoursePage", "cms.StandardPage", "cms.GlossaryPage"]
    max_count = 1

    class Meta:
        verbose_name = _("Startseite")

    def route(self, request, path_components):
        """Finds the page for a URL by its ``url_path`` (two queries, or none once the tree's memo
        holds it) instead of two queries per tree level.

        Wagtail keeps every page's ``url_path`` up to date, and no page type below the home page
        routes sub-paths of its own; should one ever do, the standard walk still answers.
        """
        if path_components:
            url_path = self.url_path + "/".join(path_components) + "/"
            page = page_at(self, url_path)
            if page is not None:
                return page.route(request, [])
        return super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
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
        context = super().get_context(request, *args, **kwargs)
        context["modules"] = section_modules(self)
        context["total_minutes"] = sum(m.estimated_minutes for m in context["modules"])
        return context


class ModulePage(TreeFactsMixin, Page):
    teaser = models.TextField(_("Kurzbeschreibung"), max_length=500, blank=True)
    short_title = models.CharField(
        _("Kurztitel"),
        max_length=24,
        blank=True,
        help_text=_(
            "Höchstens 24 Zeichen, z. B. «Datenschutz». Steht als Spaltenkopf im Bericht der "
            "Trainer:innen; leer: der gekürzte Titel."
        ),
    )
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
    renewal_required = models.BooleanField(
        _("Teil der Auffrischung"),
        default=False,
        help_text=_(
            "Wird für die Erneuerung eines befristeten Zertifikats wiederholt. Ist im Kurs kein "
            "Modul markiert, umfasst die Auffrischung alle Pflichtmodule."
        ),
    )
    body = StreamField(ModuleBodyBlock(), verbose_name=_("Inhalt"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("short_title"),
        FieldPanel("teaser"),
        FieldPanel("learning_objectives"),
        FieldPanel("estimated_minutes"),
        FieldPanel("required"),
        FieldPanel("renewal_required"),
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


class GlossaryTerm(models.Model):
    """An acronym or term of the course. Module pages link its first use to its explanation
    (``cms.glossary``); the glossary page lists all of them."""

    term = models.CharField(
        _("Begriff"),
        max_length=80,
        unique=True,
        help_text=_("So, wie er im Text steht, z. B. «OZG». Groß- und Kleinschreibung zählt."),
    )
    expansion = models.CharField(
        _("Ausgeschrieben"),
        max_length=200,
        blank=True,
        help_text=_("Bei Abkürzungen die Langform, z. B. «Onlinezugangsgesetz»."),
    )
    explanation = models.TextField(_("Erklärung"), max_length=600)
    aliases = models.CharField(
        _("Weitere Schreibweisen"),
        max_length=200,
        blank=True,
        help_text=_("Durch Kommas getrennt; auch diese Formen werden verlinkt."),
    )
    slug = models.SlugField(
        _("Kurzname"),
        max_length=80,
        unique=True,
        help_text=_("Sprungmarke im Glossar, z. B. «ozg»."),
    )

    panels = [
        FieldPanel("term"),
        FieldPanel("expansion"),
        FieldPanel("explanation"),
        FieldPanel("aliases"),
        FieldPanel("slug"),
    ]

    class Meta:
        ordering = ["term"]
        verbose_name = _("Glossarbegriff")
        verbose_name_plural = _("Glossar")

    def __str__(self):
        return f"{self.term} – {self.expansion}" if self.expansion else self.term

    def spellings(self) -> list[str]:
        return [self.term, *(a.strip() for a in self.aliases.split(",") if a.strip())]


class GlossaryPage(TreeFactsMixin, Page):
    """The course's glossary: every ``GlossaryTerm``, alphabetically, each with an anchor."""

    intro = RichTextField(_("Einleitung"), features=RICH_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = _("Glossarseite")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["terms"] = GlossaryTerm.objects.all()
        return context


# --- The course's reading order -------------------------------------------------------------
# The page types' own reads (two queries whatever the size of the course, from the memo of the
# tree); other apps reach them through cms.selectors.


@dataclass(frozen=True)
class SectionOutline:
    section: SectionPage
    modules: list[ModulePage]

    @property
    def total_minutes(self) -> int:
        return sum(m.estimated_minutes for m in self.modules)


@dataclass(frozen=True)
class ModulePosition:
    """Where a module stands in the course's reading order."""

    section: SectionPage | None
    number_in_section: int  # 1-based; 0 when the module is not part of a live course
    modules_in_section: int
    previous_module: ModulePage | None
    next_module: ModulePage | None


def sections_under(course_path: str, course_depth: int):
    return (
        SectionPage.objects.live()
        .filter(path__startswith=course_path, depth=course_depth + 1)
        .order_by("order", "path")
    )


def _modules_under(path: str):
    # The body is the biggest column and overviews never show it.
    return (
        ModulePage.objects.live()
        .filter(path__startswith=path)
        .defer("body", "learning_objectives")
        .order_by("path")
    )


def section_modules(section: SectionPage) -> list[ModulePage]:
    """The section's live modules in tree order (trainers sort them in the Wagtail explorer)."""
    return list(_modules_under(section.path).filter(depth=section.depth + 1))


def _outline(course_path: str, course_depth: int) -> list[SectionOutline]:
    """The outline from the memo of the tree (two queries when the tree has changed), as fresh
    lists the caller may change."""
    memo = memoised(("outline", course_path), lambda: _build_outline(course_path, course_depth))
    return [SectionOutline(section=o.section, modules=list(o.modules)) for o in memo]


def _build_outline(course_path: str, course_depth: int) -> list[SectionOutline]:
    sections = list(sections_under(course_path, course_depth))
    by_path = {s.path: SectionOutline(section=s, modules=[]) for s in sections}
    steplen = Page.steplen
    for module in _modules_under(course_path).filter(depth=course_depth + 2):
        outline = by_path.get(module.path[:-steplen])
        if outline is not None:
            outline.modules.append(module)
    return [by_path[s.path] for s in sections]


def course_outline(course: CoursePage) -> list[SectionOutline]:
    """Sections with their modules, in reading order: two queries whatever the size."""
    return _outline(course.path, course.depth)


def module_position(module: ModulePage) -> ModulePosition:
    """Section, number within the section and the neighbours across sections: two queries.

    The page-type rules fix the tree (course → section → module), so the course's path is the
    module's path minus two steps; no query is needed to find it.
    """
    steplen = Page.steplen
    if not module.pk or not module.depth or module.depth < 3:  # e.g. previewed before saving
        return ModulePosition(None, 0, 0, None, None)
    course_path = module.path[: -2 * steplen]
    outlines = _outline(course_path, module.depth - 2)
    modules = [m for outline in outlines for m in outline.modules]
    ids = [m.pk for m in modules]
    if module.pk not in ids:
        return ModulePosition(None, 0, 0, None, None)
    i = ids.index(module.pk)
    outline = next(o for o in outlines if o.section.path == module.path[:-steplen])
    in_section = [m.pk for m in outline.modules]
    return ModulePosition(
        section=outline.section,
        number_in_section=in_section.index(module.pk) + 1,
        modules_in_section=len(in_section),
        previous_module=modules[i - 1] if i > 0 else None,
        next_module=modules[i + 1] if i + 1 < len(modules) else None,
    )
