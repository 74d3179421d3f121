"""What a reader can read on an opened page: diagram text that is not painted over, its contrast, and glyphs.

    with browser_page(browser=browser, color_scheme="dark") as (page, errors):
        page.goto(url)
        for text in diagram_texts(page):
            assert not text.covered, f"{text} is hidden under {text.covered}"
            assert text.contrast >= AA_NORMAL_TEXT, f"{text}: {text.contrast:.2f}:1"
        assert emoji_in_visible_text(page) == []

`diagram_texts` scrolls every `<text>` of the page's diagrams into the middle
of the window and asks the browser, at the centre of each of its characters,
which element is on top there (`document.elementFromPoint`): the text itself
(or its own link), or something drawn over it. It reads the text's computed
fill and, under each character, the computed paint of every shape and box
below it (`document.elementsFromPoint`), which `contrast.py` composites into
the colour the reader sees behind the letter.

`emoji_in_visible_text` lists visible text that needs an emoji font: a stock
Debian machine (DejaVu and Liberation fonts) has no glyph for these code
points, and Chromium draws an empty box (tofu) instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tests.browser.contrast import Rgba, contrast_ratio, flatten, parse_color

if TYPE_CHECKING:
    from playwright.sync_api import Page

DIAGRAM = "svg.layerflow-diagram"

_TEXTS_JS = """(selector) => {
    const SHAPES = new Set(["path", "polygon", "polyline", "ellipse", "circle", "rect", "line"]);
    const describe = (el) => {
        if (!el) return "nothing (outside the window)";
        const node = el.closest("g.node, g.edge, g.cluster");
        const fill = el instanceof SVGElement ? ` fill ${getComputedStyle(el).fill}` : "";
        const where = node ? ` in <g class="${node.getAttribute("class")}">` : "";
        const own = el.getAttribute("class") ? `.${el.getAttribute("class").split(" ").join(".")}` : "";
        return `<${el.tagName.toLowerCase()}${own}>${fill}${where}`;
    };
    const paintOf = (el) => {
        const style = getComputedStyle(el);
        const opacity = parseFloat(style.opacity);
        if (el instanceof SVGElement && el.tagName.toLowerCase() !== "svg") {
            // <g>, <a>, <text>: no paint of their own behind a letter.
            if (!SHAPES.has(el.tagName.toLowerCase())) return null;
            // A shape is under the point where its fill is, or (unfilled) where its stroke is.
            if (style.fill !== "none") return [style.fill, opacity * parseFloat(style.fillOpacity)];
            return [style.stroke, opacity * parseFloat(style.strokeOpacity)];
        }
        return [style.backgroundColor, opacity];
    };
    const out = [];
    for (const svg of document.querySelectorAll(selector)) {
        for (const text of svg.querySelectorAll("text")) {
            text.scrollIntoView({block: "center", inline: "center", behavior: "instant"});
            const ctm = text.getScreenCTM();
            const style = getComputedStyle(text);
            const own = (el) => el && (el === text || text.contains(el) || el === text.closest("a"));
            const covered = [];
            const under = [];
            for (let i = 0; i < text.getNumberOfChars(); i++) {
                const box = text.getExtentOfChar(i);
                if (box.width === 0 || box.height === 0) continue;
                const p = new DOMPoint(box.x + box.width / 2, box.y + box.height / 2).matrixTransform(ctm);
                const stack = document.elementsFromPoint(p.x, p.y);  // topmost first: [0] is elementFromPoint's
                if (!own(stack[0])) {
                    covered.push(describe(stack[0]));
                    continue;
                }
                const below = stack.filter((el) => !own(el));
                under.push(below.map(paintOf).filter((paint) => paint !== null));
            }
            out.push({
                diagram: svg.id,
                text: text.textContent,
                fill: style.fill,
                opacity: parseFloat(style.opacity) * parseFloat(style.fillOpacity),
                covered: [...new Set(covered)],
                under: under,
            });
        }
    }
    window.scrollTo({top: 0, left: 0, behavior: "instant"});
    return out;
}"""


@dataclass(frozen=True)
class DiagramText:
    """One `<text>` of a diagram as the reader sees it."""

    diagram: str  # the svg's id
    text: str
    covered: tuple[str, ...]  # what is on top of it where a character is hidden; empty when every one shows
    color: Rgba  # the text's own colour, translucent as computed
    backgrounds: tuple[Rgba, ...]  # the opaque colour behind each character that shows

    @property
    def contrast(self) -> float:
        """The lowest contrast between the text and what is behind any of its characters (21 when none shows)."""
        return min((contrast_ratio(self.color, bg) for bg in self.backgrounds), default=21.0)

    @property
    def lowest_background(self) -> Rgba | None:
        ratios = [(contrast_ratio(self.color, bg), bg) for bg in self.backgrounds]
        return min(ratios, key=lambda pair: pair[0])[1] if ratios else None

    def __str__(self) -> str:
        return f"{self.diagram}: {self.text!r}"


def diagram_texts(page: Page, selector: str = DIAGRAM) -> list[DiagramText]:
    """Every `<text>` in the diagrams (`selector`) of the opened page, in document order; scrolls the page."""
    found = page.evaluate(_TEXTS_JS, selector)
    return [_diagram_text(item) for item in found]


def _diagram_text(item: dict[str, object]) -> DiagramText:
    color = parse_color(str(item["fill"]))
    if color is None:  # a text without fill draws nothing a reader can see
        color = Rgba(0, 0, 0, 0)
    color = color.faded(float(item["opacity"]))  # type: ignore[arg-type]
    backgrounds = []
    for layers in item["under"]:  # type: ignore[attr-defined]
        paints = [parse_color(paint) for paint, _ in layers]
        backgrounds.append(
            flatten(paint.faded(opacity) for paint, (_, opacity) in zip(paints, layers, strict=True) if paint)
        )
    return DiagramText(
        diagram=str(item["diagram"]),
        text=str(item["text"]),
        covered=tuple(item["covered"]),  # type: ignore[arg-type]
        color=color,
        backgrounds=tuple(backgrounds),
    )


# --------------------------------------------------------------------------- glyphs

# Code points a stock Debian machine (fonts-dejavu, fonts-liberation) draws as empty boxes: the pictograph
# planes, Miscellaneous Symbols and Dingbats (✅ U+2705, ❌ U+274C, ⚠ U+26A0), the other characters Unicode
# presents as emoji by default, and the variation selector that asks for emoji presentation (⚠️ is U+26A0 U+FE0F).
EMOJI_RANGES: tuple[tuple[int, int], ...] = (
    (0x1F000, 0x1FAFF),
    (0x2600, 0x27BF),
    (0x231A, 0x231B),
    (0x23E9, 0x23F3),
    (0x23F8, 0x23FA),
    (0x25FD, 0x25FE),
    (0x2B1B, 0x2B1C),
    (0x2B50, 0x2B50),
    (0x2B55, 0x2B55),
    (0xFE0F, 0xFE0F),
)
EMOJI = re.compile("[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in EMOJI_RANGES) + "]")
_EMOJI_JS_CLASS = "[" + "".join(f"\\u{{{a:X}}}-\\u{{{b:X}}}" for a, b in EMOJI_RANGES) + "]"

_VISIBLE_TEXT_JS = """(pattern) => {
    const emoji = new RegExp(pattern, "gu");
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const found = [];
    while (walker.nextNode()) {
        const node = walker.currentNode;
        const el = node.parentElement;
        if (!el || el.closest("script, style, noscript, template, title")) continue;
        if (!el.checkVisibility({visibilityProperty: true})) continue;
        const marks = node.data.match(emoji);
        if (marks) found.push({marks: marks.join(""), text: node.data.trim(), element: el.tagName.toLowerCase()});
    }
    return found;
}"""


@dataclass(frozen=True)
class EmojiText:
    """A visible text node holding code points that need an emoji font."""

    marks: str  # the code points found, in order
    text: str
    element: str  # the tag of the element holding the text

    def __str__(self) -> str:
        points = " ".join(f"U+{ord(c):04X}" for c in self.marks)
        return f"<{self.element}> {self.text[:80]!r} ({points})"


def emoji_in(text: str) -> str:
    """The code points of `text` that need an emoji font, in order."""
    return "".join(EMOJI.findall(text))


def emoji_in_visible_text(page: Page) -> list[EmojiText]:
    """Every visible text node of the opened page (HTML and SVG) holding code points that need an emoji font."""
    found = page.evaluate(_VISIBLE_TEXT_JS, _EMOJI_JS_CLASS)
    return [EmojiText(marks=item["marks"], text=item["text"], element=item["element"]) for item in found]
