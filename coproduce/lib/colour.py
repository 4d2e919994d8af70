"""Colours a community may choose: six-digit hex, readable as a background behind white text."""

import re

HEX_COLOUR = re.compile(r"^#[0-9a-f]{6}$")
# WCAG 2 AA for normal text; the header shows white text on the community's colour.
MIN_CONTRAST_WITH_WHITE = 4.5


def normalise_hex(value: str) -> str:
    """"1D70B8", "#1d70b8 " or "#1D70B8" -> "#1d70b8"; raises ValueError for anything else."""
    text = value.strip().lower()
    if not text.startswith("#"):
        text = "#" + text
    if not HEX_COLOUR.match(text):
        raise ValueError(value)
    return text


def relative_luminance(hex_colour: str) -> float:
    """The WCAG 2 relative luminance of a "#rrggbb" colour (0 for black, 1 for white)."""
    channels = []
    for start in (1, 3, 5):
        c = int(hex_colour[start:start + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_with_white(hex_colour: str) -> float:
    """The WCAG contrast ratio of white text on this colour, from 1 (white) to 21 (black)."""
    return 1.05 / (relative_luminance(hex_colour) + 0.05)
