"""Fonts for PDFs other than the certificate; ``config.settings`` imports them."""

from pathlib import Path

# The DejaVu fonts the certificate ships, also used by the readable data download (PDF).
PDF_FONT_DIR = Path(__file__).resolve().parent.parent / "certificates" / "fonts"
