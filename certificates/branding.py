"""What the certificate takes from the deployment's branding (the site setting
``core.models.BrandingSettings``: logo and alt text) and from its own text setting (the
signatory's signature image), as PNG bytes ReportLab can draw.

Without a branding setting, a logo, or with a logo that cannot be rasterised (SVG), the
certificate has no logo: it never fails to issue because of an image."""

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)

# Renditions for print: about 300 dpi at the drawn size (logo 45 × 18 mm, signature 50 × 15 mm).
LOGO_RENDITION = "max-600x240|format-png"
SIGNATURE_RENDITION = "max-600x180|format-png"


@dataclass(frozen=True)
class Picture:
    png: bytes
    width: int
    height: int
    alt: str = ""


def _png(image, spec: str, alt: str = "") -> Picture | None:
    if image is None:
        return None
    try:
        if image.is_svg():
            return None
        rendition = image.get_rendition(spec)
        with rendition.file.open("rb") as handle:
            data = handle.read()
    except Exception:  # a missing or unreadable file: issue without the picture
        logger.exception("Image %s could not be rendered for the certificate", image.pk)
        return None
    return Picture(png=data, width=rendition.width, height=rendition.height, alt=alt)


def branding_logo() -> Picture | None:
    """The deployment's logo from the branding setting, or None."""
    try:
        from core.models import BrandingSettings
    except ImportError:  # a deployment without the branding setting
        return None
    branding = BrandingSettings.load()
    return _png(branding.logo, LOGO_RENDITION, alt=branding.logo_alt)


def signature_picture(text) -> Picture | None:
    """The signatory's signature image from the certificate text setting, or None."""
    return _png(text.signature_image, SIGNATURE_RENDITION)
