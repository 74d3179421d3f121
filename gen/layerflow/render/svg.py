"""Text made safe for DOT, and Graphviz SVG made safe and unique for inline HTML.

Pure: strings in, strings out.

`inline_svg` parses Graphviz's SVG and writes it out again from the tree, so
whatever Graphviz put in comments (graph and node names, where a `-->` could
end the comment) is gone, and every character of text is escaped afresh. It
keeps only elements Graphviz draws with and links to safe URLs; anything else
is an error, never silently passed through.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.entities import html5

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
_PREFIXES = {"": "", SVG_NS: "", XLINK_NS: "xlink:", XML_NS: "xml:"}  # namespace -> output prefix

# What Graphviz's SVG renderer draws with (2.43 and later). Anything else is refused.
_ELEMENTS = frozenset(
    {
        "svg", "g", "title", "desc", "text", "tspan", "a", "defs", "linearGradient", "radialGradient", "stop",
        "polygon", "polyline", "ellipse", "circle", "rect", "line", "path", "image",
    }
)  # fmt: skip
_TEXT_ELEMENTS = frozenset({"title", "desc", "text", "tspan"})  # whitespace inside them is content
_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})

_DIAGRAM_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
_DOCTYPE = re.compile(r"<!DOCTYPE[^\[>]*>")
_ENTITY = re.compile(r"&(?:([A-Za-z][A-Za-z0-9]*);|(#[0-9]+;|#[xX][0-9A-Fa-f]+;))?")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_URL_REF = re.compile(r"url\(#([^)]*)\)")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f]")  # browsers strip or skip these when reading a scheme
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_DOT_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_DOT_LINE_BREAKS = {"\\": "\\", "n": "\n", "l": "\n", "r": "\n"}
_LENGTH = re.compile(r"\d+(?:\.\d+)?(?:pt|px)?\Z")
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class UnsafeSvg(ValueError):
    """The SVG holds something that must not reach a page (a javascript: link, a script...)."""


# ------------------------------------------------------------- DOT text


# A site's diagrams quote the same few texts over and over (classes, layer names, URLs, a signal in each diagram it
# is in): 647,000 calls at 10k signals. The 16,384 quoted last are kept.
@functools.lru_cache(maxsize=1 << 14)
def dot_quote(text: str) -> str:
    """`text` as a DOT double-quoted string (quotes included) that Graphviz shows literally.

    Backslashes are doubled so Graphviz's label escapes (\\N, \\G, \\L, \\l...)
    never fire, `&` becomes `&amp;` so Graphviz does not decode entities in it,
    newlines become `\\n` (a centred line break), and characters XML cannot
    hold become U+FFFD. Meant for node names, labels and tooltips. A node's
    name also becomes its SVG `<title>` verbatim (only the label is
    unescaped), so prefer plain slugs for names and put user text in labels.
    """
    text = _clean(text).replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;").replace("\n", "\\n")
    return f'"{text}"'


_HTML_LABEL_ESCAPES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
    "]": "&#93;",
    "{": "&#123;",
    "}": "&#125;",
    "\\": "\\\\",  # Graphviz expands \N, \G... in HTML-like labels too; \\ is a literal backslash
    "\n": "<BR/>",
    "\t": " ",  # Graphviz drops tabs (even &#9;) from HTML-like labels
}
_HTML_LABEL_SPECIAL = re.compile("[" + re.escape("".join(_HTML_LABEL_ESCAPES)) + "]")


def dot_html_escape(text: str) -> str:
    """`text` as literal text inside a Graphviz HTML-like label (`label=<...>`).

    Newlines become `<BR/>` line breaks, so the result belongs in text, not in
    an attribute value of the label's markup. Tabs become spaces (Graphviz
    would drop them), and as in HTML, runs of spaces are not kept exactly.
    """
    return _HTML_LABEL_SPECIAL.sub(lambda m: _HTML_LABEL_ESCAPES[m.group(0)], _clean(text))


def _clean(text: str) -> str:
    return _NOT_XML_CHAR.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))


# ------------------------------------------------------------ inline SVG


def inline_svg(svg: str, diagram_id: str, label: str | None = None) -> str:
    """Graphviz's SVG as an element to put inline in an HTML page, next to others.

    The root gets `id=diagram_id`, `class="layerflow-diagram"`, `role="img"`
    and `aria-label` (`label`, else the graph's name, else `diagram_id`; an
    anonymous graph's `<title>`, "%3", is dropped);
    its fixed width and height go (the viewBox stays; the natural width
    becomes a `max-width`). Every id becomes `<diagram_id>-<id>` and every
    `url(#id)` and `href="#id"` that points inside the SVG follows it.
    The XML prolog, DOCTYPE and comments are dropped. `<title>`s read DOT's
    escapes as labels do, and a link's tooltip (`xlink:title`, which browsers
    ignore) is also given as its `<title>`. Links are kept when they
    are relative or http(s)/mailto; any other scheme (javascript:, data:...)
    raises UnsafeSvg, as does an element Graphviz never draws with.

    The result is well-formed XML, one element per line with no blank lines
    and no indentation (so Markdown leaves it alone), and depends only on the
    input.
    """
    _check_id(diagram_id)
    return _inline(svg, diagram_id, diagram_id, label)


# Where a template holds the diagram id. NUL is no XML character: a parsed SVG cannot hold one
# (nor make one from a reference, see _fix_entity), so every NUL in a template is a slot.
ID_SLOT = "\x00"


def inline_svg_template(svg: str, label: str | None = None, name: str = "diagram") -> str:
    """`inline_svg(svg, any_id, label)` with ID_SLOT wherever the id goes: one SVG sanitised once,
    however many diagrams show it (`place_id` fills the slots). `name` is what errors call it."""
    if label is not None and ID_SLOT in label:
        raise ValueError(f"{name}: a diagram label cannot hold NUL")
    return _inline(svg, ID_SLOT, name, label)


def place_id(template: str, diagram_id: str) -> str:
    """A template from `inline_svg_template` with its diagram id: exactly what `inline_svg` returns."""
    _check_id(diagram_id)
    return template.replace(ID_SLOT, diagram_id)


def _check_id(diagram_id: str) -> None:
    if not _DIAGRAM_ID.match(diagram_id):
        raise ValueError(f"diagram id {diagram_id!r} must be a letter followed by letters, digits, '-' or '_'")


def _inline(svg: str, diagram_id: str, name_for_errors: str, label: str | None) -> str:
    root = _parse(svg, name_for_errors)
    _order_clusters(root)
    _readable_titles(root)
    name = _graph_name(root)
    ids = _rename_ids(root, diagram_id)
    for element in root.iter():
        _rewrite_references(element, ids, name_for_errors)
    root.attrib = _root_attributes(root, diagram_id, label or name or diagram_id)
    return _serialize(root, inline=False)


_CLUSTER_ID = re.compile(r"clust(\d+)\Z")


def _order_clusters(root: ET.Element) -> None:
    """Clusters in declaration order (clust1, clust2, ...).

    Graphviz lays clusters out the same way in a batch as alone, but the order
    it writes their groups in can follow memory addresses. Sorting them makes
    a diagram's bytes independent of what it was rendered with, so diagrams
    can be batched in one `dot` process and still come out identical.
    """
    for parent in root.iter():
        children = list(parent)
        clusters = [c for c in children if _local(c.tag) == "g" and _CLUSTER_ID.match(c.get("id", ""))]
        if len(clusters) < 2:
            continue
        ordered = sorted(clusters, key=lambda c: int(_CLUSTER_ID.match(c.get("id", "")).group(1)))  # type: ignore[union-attr]
        slots = [i for i, c in enumerate(children) if c in clusters]
        for slot, cluster in zip(slots, ordered, strict=True):
            children[slot] = cluster
        parent[:] = children


def _parse(svg: str, diagram_id: str) -> ET.Element:
    text = _DOCTYPE.sub("", svg, count=1)
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise UnsafeSvg(f"{diagram_id}: SVG with a DTD of its own")
    text = _ENTITY.sub(_fix_entity, text)  # Graphviz writes bare & in URLs and HTML entities in titles
    try:
        root = ET.fromstring(text)  # comments and processing instructions are not kept
    except ET.ParseError as exc:
        raise ValueError(f"{diagram_id}: not well-formed SVG: {exc}") from exc
    if root.tag != f"{{{SVG_NS}}}svg":
        raise ValueError(f"{diagram_id}: the root element is {root.tag}, not an SVG <svg>")
    for element in root.iter():
        namespace, local = _split(element.tag)
        if namespace != SVG_NS or local not in _ELEMENTS:
            raise UnsafeSvg(f"{diagram_id}: unexpected element {element.tag} in Graphviz SVG")
        for attribute in element.attrib:
            namespace, local = _split(attribute)
            if namespace not in _PREFIXES or local.lower().startswith("on"):
                raise UnsafeSvg(f"{diagram_id}: unexpected attribute {attribute} on <{local}> in Graphviz SVG")
    return root


def _fix_entity(match: re.Match[str]) -> str:
    """An entity reference XML can read: XML's five and numeric ones stay, HTML ones become numeric."""
    name, numeric = match.group(1), match.group(2)
    if numeric:
        code = int(numeric[2:-1], 16) if numeric[1] in "xX" else int(numeric[1:-1])
        return match.group(0) if code <= 0x10FFFF and not _NOT_XML_CHAR.match(chr(code)) else "&#65533;"
    if name in _XML_ENTITIES:
        return match.group(0)
    if name is not None and f"{name};" in html5:
        return "".join(f"&#{ord(char)};" for char in html5[f"{name};"])
    return "&amp;" + match.group(0)[1:]


def _rename_ids(root: ET.Element, diagram_id: str) -> dict[str, str]:
    """Give every id, in document order, the form `<diagram_id>-<id>`, HTML-safe and unique even where
    Graphviz repeated one (a user's `id` on two nodes). Returns old id -> new id of its first holder."""
    first: dict[str, str] = {}
    used = {diagram_id}
    for element in root.iter():
        old = element.get("id")
        if old is None:
            continue
        new = base = f"{diagram_id}-{_ID_UNSAFE.sub('_', old)}"
        count = 1
        while new in used:
            count += 1
            new = f"{base}-{count}"
        used.add(new)
        first.setdefault(old, new)
        element.set("id", new)
    return first


def _rewrite_references(element: ET.Element, ids: dict[str, str], diagram_id: str) -> None:
    for attribute, value in list(element.attrib.items()):
        if attribute == "id":
            continue
        if _local(attribute) == "href":
            _check_url(value, diagram_id)
            new = "#" + ids[value[1:]] if value.startswith("#") and value[1:] in ids else value
        else:
            new = _URL_REF.sub(lambda m: f"url(#{ids[m.group(1)]})" if m.group(1) in ids else m.group(0), value)
        element.set(attribute, new)


def _check_url(url: str, diagram_id: str) -> None:
    scheme = _SCHEME.match(_URL_IGNORED.sub("", url))
    if scheme and scheme.group(1).lower() not in _SAFE_SCHEMES:
        raise UnsafeSvg(f"{diagram_id}: link to {url!r}: only relative, http(s) and mailto links are allowed")


def _root_attributes(root: ET.Element, diagram_id: str, label: str) -> dict[str, str]:
    attributes = {"id": diagram_id, "class": "layerflow-diagram", "role": "img", "aria-label": label}
    if "viewBox" in root.attrib:
        attributes["viewBox"] = root.attrib["viewBox"]
    width = root.get("width", "")
    if _LENGTH.match(width):
        attributes["style"] = f"max-width: {width}; height: auto"
    for attribute, value in root.attrib.items():
        if attribute not in {"id", "class", "role", "aria-label", "viewBox", "style", "width", "height"}:
            attributes[attribute] = value
    return attributes


def _readable_titles(root: ET.Element) -> None:
    """Graphviz writes names into `<title>` as DOT has them (a backslash doubled, a newline as
    backslash-n): read those escapes as a label would. And it puts a tooltip only in `<a xlink:title>`, which
    browsers do not show: give each such link a `<title>` too, so hovering shows the tooltip
    rather than the node's name."""
    for title in root.iter(f"{{{SVG_NS}}}title"):
        if title.text:
            title.text = _DOT_ESCAPE.sub(lambda m: _DOT_LINE_BREAKS.get(m.group(1), m.group(0)), title.text)
    for link in root.iter(f"{{{SVG_NS}}}a"):
        tooltip = link.get(f"{{{XLINK_NS}}}title")
        if tooltip and link.find(f"{{{SVG_NS}}}title") is None:
            title = ET.Element(f"{{{SVG_NS}}}title")
            title.text = tooltip
            link.insert(0, title)


def _graph_name(root: ET.Element) -> str:
    """The graph's name, or "" for an anonymous graph, whose `<title>` (%0, %3...) is removed
    so it does not pop up as the whole diagram's tooltip."""
    group = root.find(f"{{{SVG_NS}}}g")
    title = group.find(f"{{{SVG_NS}}}title") if group is not None else None
    if group is None or title is None:
        return ""
    name = (title.text or "").strip()
    if name.startswith("%"):
        group.remove(title)
        return ""
    return " ".join(name.split())


def _serialize(element: ET.Element, *, inline: bool) -> str:
    name = _name(element.tag)
    namespaces = f' xmlns="{SVG_NS}" xmlns:xlink="{XLINK_NS}"' if name == "svg" and not inline else ""
    start = f"<{name}{namespaces}" + "".join(f' {_name(k)}="{_escape(v, True)}"' for k, v in element.attrib.items())
    if inline or name in _TEXT_ELEMENTS:  # keep every character: whitespace here is text
        inner = _escape(element.text or "") + "".join(
            _serialize(child, inline=True) + _escape(child.tail or "") for child in element
        )
    else:  # a container: one child per line, whitespace between them dropped
        inner = "\n".join(_container_parts(element))
        inner = f"\n{inner}\n" if inner else ""
    return f"{start}>{inner}</{name}>" if inner else f"{start}/>"


def _container_parts(element: ET.Element) -> Iterator[str]:
    if element.text and element.text.strip():
        yield _escape(element.text)
    for child in element:
        yield _serialize(child, inline=False)
        if child.tail and child.tail.strip():
            yield _escape(child.tail)


def _escape(text: str, attribute: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\n", "&#10;").replace("\r", "&#13;")
    return text.replace('"', "&quot;").replace("\t", "&#9;") if attribute else text


def _split(tag: str) -> tuple[str, str]:
    """ElementTree's `{namespace}local` as (namespace, local); no namespace is ""."""
    if not tag.startswith("{"):
        return "", tag
    namespace, _, local = tag[1:].partition("}")
    return namespace, local


def _local(tag: str) -> str:
    return _split(tag)[1]


def _name(tag: str) -> str:
    """An element or attribute name as written in the output (namespaces were checked in _parse)."""
    namespace, local = _split(tag)
    return _PREFIXES.get(namespace, "") + local
