"""The demo's branding: a neutral logo of our own (``core/static/brand/logo-demo.svg``, also
as PNG for the certificate), the footer contact of the demo course lead. Kept when the
Kursleitung has already chosen a logo."""

from pathlib import Path

from django.core.files.images import ImageFile

LOGO = Path(__file__).resolve().parent / "static" / "brand" / "logo-demo.png"
LOGO_TITLE = "Logo Bürgerservice-Akademie (Demo)"


def seed_branding() -> None:
    from wagtail.images import get_image_model

    from core.models import BrandingSettings

    branding = BrandingSettings.load()
    if branding.logo_id:
        return
    Image = get_image_model()
    logo = Image.objects.filter(title=LOGO_TITLE).first()
    if logo is None:
        with LOGO.open("rb") as handle:
            logo = Image(title=LOGO_TITLE, file=ImageFile(handle, name="logo-demo.png"))
            logo.save()
    branding.logo = logo
    branding.logo_alt = "Logo der Bürgerservice-Akademie: ein aufgeschlagenes Buch"
    branding.favicon = logo
    if not branding.footer_contact:
        branding.footer_contact = (
            "Fragen zum Kurs: Kursleitung Thomas Brunner\n"
            "kursleitung@example.org · Telefon 031 555 01 23"
        )
    branding.full_clean()
    branding.save()
