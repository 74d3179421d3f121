"""WCAG 2 contrast between colours as a browser computes them (`getComputedStyle`), for the readability checks.

Pure: strings and numbers in, numbers out. A computed colour may be translucent
(Material's text colours are `rgba(0, 0, 0, 0.87)` and the like), so colours
are composited, top layer over the ones below it, before their luminance is
compared: what counts is the colour the reader's eye gets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

AA_NORMAL_TEXT = 4.5  # WCAG 2.x success criterion 1.4.3, text under 18pt (14pt bold)

_NUMBER = r"\s*([0-9.]+%?)\s*"
_RGB = re.compile(rf"rgba?\({_NUMBER},{_NUMBER},{_NUMBER}(?:,{_NUMBER})?\)\Z")
_HEX = re.compile(r"#([0-9a-fA-F]{3,8})\Z")


@dataclass(frozen=True)
class Rgba:
    """A colour in sRGB, channels 0..255, alpha 0..1."""

    r: float
    g: float
    b: float
    a: float = 1.0

    def over(self, below: Rgba) -> Rgba:
        """This colour painted over `below` (source-over compositing)."""
        alpha = self.a + below.a * (1 - self.a)
        if alpha == 0:
            return Rgba(0, 0, 0, 0)

        def channel(top: float, bottom: float) -> float:
            return (top * self.a + bottom * below.a * (1 - self.a)) / alpha

        return Rgba(channel(self.r, below.r), channel(self.g, below.g), channel(self.b, below.b), alpha)

    def faded(self, opacity: float) -> Rgba:
        return Rgba(self.r, self.g, self.b, self.a * opacity)

    def __str__(self) -> str:
        hex_rgb = "#" + "".join(f"{round(c):02x}" for c in (self.r, self.g, self.b))
        return hex_rgb if self.a >= 1 else f"{hex_rgb}@{self.a:.2f}"


TRANSPARENT = Rgba(0, 0, 0, 0)
WHITE = Rgba(255, 255, 255)


def parse_color(text: str) -> Rgba | None:
    """A computed colour: `rgb(...)`, `rgba(...)`, `#rgb[a]`, `#rrggbb[aa]`, `transparent`.

    None for paint that is no colour: `none`, and paint servers (`url(#gradient)`).
    """
    text = text.strip().lower()
    if text in {"transparent", "rgba(0, 0, 0, 0)"}:
        return TRANSPARENT
    if match := _RGB.match(text):
        r, g, b, a = match.groups()
        return Rgba(_channel(r), _channel(g), _channel(b), _alpha(a) if a is not None else 1.0)
    if match := _HEX.match(text):
        digits = match.group(1)
        if len(digits) in {3, 4}:
            digits = "".join(d * 2 for d in digits)
        if len(digits) not in {6, 8}:
            raise ValueError(f"not a colour: {text!r}")
        values = [int(digits[i : i + 2], 16) for i in range(0, len(digits), 2)]
        return Rgba(values[0], values[1], values[2], values[3] / 255 if len(values) == 4 else 1.0)
    if text == "none" or text.startswith("url("):
        return None
    raise ValueError(f"a colour this check cannot read: {text!r}")


def _channel(value: str) -> float:
    return float(value[:-1]) * 2.55 if value.endswith("%") else float(value)


def _alpha(value: str) -> float:
    return float(value[:-1]) / 100 if value.endswith("%") else float(value)


def flatten(layers_top_down: Iterable[Rgba], canvas: Rgba = WHITE) -> Rgba:
    """The opaque colour seen through `layers_top_down` (first is on top), over `canvas`."""
    seen = TRANSPARENT
    for layer in layers_top_down:
        seen = seen.over(layer)  # what is above so far, over this layer
        if seen.a >= 1:
            return seen
    return seen.over(canvas)


def relative_luminance(color: Rgba) -> float:
    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(color.r) + 0.7152 * linear(color.g) + 0.0722 * linear(color.b)


def contrast_ratio(text: Rgba, background: Rgba) -> float:
    """WCAG contrast of `text` drawn over the opaque `background` (translucent text is composited first)."""
    seen = text.over(background)
    lighter, darker = sorted((relative_luminance(seen), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
