"""Per-deployment settings every app may read: the branding of the participant pages, the
certificate and the admin (``BrandingSettings``, edited by the Kursleitung in Wagtail's
settings menu)."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from core import colours

DEFAULT_ACCENT = "#0b5394"
CONTRAST_TOO_LOW = _(
    "Die Akzentfarbe %(colour)s ist auf Weiß zu schwach (Kontrast %(ratio)s:1). "
    "Wählen Sie eine dunklere Farbe mit mindestens 4,5:1, damit Text und Schaltflächen "
    "lesbar bleiben."
)
NOT_A_COLOUR = _("Bitte geben Sie die Farbe als #RRGGBB an, zum Beispiel #0b5394.")
ALT_MISSING = _(
    "Bitte beschreiben Sie das Logo in einem Alternativtext (z. B. «Logo der Stadt Musterstadt»)."
)


def validate_accent_colour(value: str) -> None:
    try:
        ratio = colours.contrast_ratio(value, colours.WHITE)
    except ValueError:
        raise ValidationError(NOT_A_COLOUR, code="not_a_colour") from None
    if ratio < colours.MIN_CONTRAST:
        raise ValidationError(
            CONTRAST_TOO_LOW,
            code="contrast",
            params={"colour": value, "ratio": f"{ratio:.2f}".replace(".", ",")},
        )


@register_setting(icon="image")
class BrandingSettings(BaseGenericSetting):
    """The deployment's name, logo, colour, favicon and footer contact, and whether interface
    texts and mails use Swiss spelling (ss instead of ß)."""

    organisation_name = models.CharField(
        _("Name der Organisation"),
        max_length=120,
        default="Bürgerservice-Akademie",
        help_text=_("Erscheint im Kopf jeder Seite, im Seitentitel und auf dem Zertifikat."),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("Logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Querformat, mindestens 96 Pixel hoch (PNG, JPEG oder WebP)."),
    )
    logo_alt = models.CharField(
        _("Alternativtext des Logos"),
        max_length=200,
        blank=True,
        help_text=_("Was das Logo zeigt, für Screenreader (z. B. «Wappen der Stadt Musterstadt»)."),
    )
    accent_colour = models.CharField(
        _("Akzentfarbe"),
        max_length=7,
        default=DEFAULT_ACCENT,
        validators=[RegexValidator(colours.HEX_COLOUR, NOT_A_COLOUR), validate_accent_colour],
        help_text=_(
            "Farbe von Schaltflächen, Links und Fortschrittsbalken als #RRGGBB. Sie braucht "
            "auf Weiß einen Kontrast von mindestens 4,5:1."
        ),
    )
    favicon = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("Favicon"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Quadratisches Bild, mindestens 64 × 64 Pixel."),
    )
    footer_contact = models.TextField(
        _("Kontakt in der Fußzeile"),
        max_length=600,
        blank=True,
        help_text=_("Wer bei Fragen hilft, z. B. Name, Telefon und E-Mail der Kursleitung."),
    )
    swiss_spelling = models.BooleanField(
        _("ss statt ß"),
        default=False,
        help_text=_(
            "Schweizer Rechtschreibung: Oberfläche und E-Mails schreiben «ss» statt «ß». "
            "Kursinhalte schreiben die Autorinnen und Autoren selbst so."
        ),
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("organisation_name"),
                FieldPanel("logo"),
                FieldPanel("logo_alt"),
                FieldPanel("favicon"),
            ],
            heading=_("Name und Logo"),
        ),
        FieldPanel("accent_colour"),
        FieldPanel("footer_contact"),
        FieldPanel("swiss_spelling"),
    ]

    class Meta:
        verbose_name = _("Erscheinungsbild")
        verbose_name_plural = _("Erscheinungsbild")

    def clean(self):
        super().clean()
        if self.logo_id and not self.logo_alt.strip():
            raise ValidationError({"logo_alt": ALT_MISSING})
