"""Colour arithmetic for the branding's accent colour: WCAG 2.1 relative luminance and contrast.

Pure functions; the accent colour is refused below ``MIN_CONTRAST`` on white (text and buttons
in the accent colour must stay readable, WCAG 2.1 success criterion 1.4.3)."""

from __future__ import annotations

import re

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE = "#ffffff"
MIN_CONTRAST = 4.5


def parse_hex(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` as three integers; ``ValueError`` for anything else."""
    if not isinstance(colour, str) or not HEX_COLOUR.match(colour):
        raise ValueError(colour)
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    r, g, b = (_channel(v) for v in parse_hex(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def mix(colour: str, other: str, share: float) -> str:
    """``colour`` with ``share`` (0–1) of ``other`` mixed in, channel by channel in sRGB."""
    a, b = parse_hex(colour), parse_hex(other)
    mixed = (round(x + (y - x) * share) for x, y in zip(a, b, strict=True))
    return "#" + "".join(f"{v:02x}" for v in mixed)


def readable_on_white(colour: str) -> bool:
    return contrast_ratio(colour, WHITE) >= MIN_CONTRAST
