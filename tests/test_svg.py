"""Hostile names go through dot_quote -> real dot -> inline_svg and come out as text, never as markup."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from layerflow.render.svg import (
    ID_SLOT,
    UnsafeSvg,
    dot_html_escape,
    dot_quote,
    inline_svg,
    inline_svg_template,
    place_id,
)

NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
DOT = shutil.which("dot") or "/usr/bin/dot"

NASTY = [
    "<script>alert(1)</script>",
    'say "hi"',
    "a]b",
    "{x|y}",
    "back\\slash",
    "trailing\\",
    "\\N \\G \\L \\l \\r \\E \\T \\H",
    "--> <!-- -->",
    "]]> <![CDATA[",
    "two\nlines",
    "&lt;b&gt; & &amp; &nbsp;",
    "tab\there",
    "plain",
]


def _dot(source: str) -> str:
    return subprocess.run([DOT, "-Tsvg"], input=source, capture_output=True, text=True, check=True).stdout


def _node_texts(root: ET.Element) -> list[str]:
    """Each node's label as shown: its <text> lines joined by newlines."""
    shown = []
    for group in root.iter(f"{NS}g"):
        if group.get("class") == "node":
            shown.append("\n".join(t.text or "" for t in group.iter(f"{NS}text")))
    return shown


def _check_inline(out: str, diagram_id: str) -> ET.Element:
    root = ET.fromstring(out)  # well-formed
    assert root.tag == f"{NS}svg"
    assert not [e for e in root.iter() if e.tag.rpartition("}")[2].lower() in {"script", "foreignobject"}]
    assert "<script" not in out and "<!--" not in out and "<?xml" not in out and "<!DOCTYPE" not in out
    assert "\n\n" not in out and not re.search(r"^\s", out, re.MULTILINE)  # Markdown-safe
    assert root.get("id") == diagram_id and root.get("class") == "layerflow-diagram" and root.get("role") == "img"
    assert root.get("aria-label") and root.get("viewBox")
    assert root.get("width") is None and root.get("height") is None
    ids = [e.get("id") for e in root.iter() if e.get("id") is not None]
    assert len(ids) == len(set(ids))
    assert all(i == diagram_id or (i or "").startswith(f"{diagram_id}-") for i in ids)
    for element in root.iter():
        for value in element.attrib.values():
            for ref in re.findall(r"url\(#([^)]*)\)", value):
                assert ref in ids
    return root


def test_hostile_node_names_come_out_as_their_own_text() -> None:
    body = "\n".join(dot_quote(name) + ";" for name in NASTY)
    out = inline_svg(_dot(f"digraph {dot_quote('<script>G</script> -->')} {{\n{body}\n}}"), "flow-1")
    root = _check_inline(out, "flow-1")
    assert sorted(_node_texts(root)) == sorted(NASTY)
    assert root.get("aria-label") == "<script>G</script> -->"


def test_hostile_labels_come_out_as_their_own_text() -> None:
    body = "\n".join(f"n{i} [label={dot_quote(name)}, tooltip={dot_quote(name)}];" for i, name in enumerate(NASTY))
    root = _check_inline(inline_svg(_dot(f"digraph {{\n{body}\n}}"), "d"), "d")
    assert sorted(_node_texts(root)) == sorted(NASTY)


def test_hostile_html_labels_come_out_as_their_own_text() -> None:
    body = "\n".join(f"n{i} [shape=box, label=<{dot_html_escape(name)}>];" for i, name in enumerate(NASTY))
    root = _check_inline(inline_svg(_dot(f"digraph {{\n{body}\n}}"), "d"), "d")
    assert sorted(_node_texts(root)) == sorted(name.replace("\t", " ") for name in NASTY)  # HTML labels drop tabs


def test_dot_quote_and_html_escape_exactly() -> None:
    assert dot_quote('a"b\\c\nd&e') == '"a\\"b\\\\c\\nd&amp;e"'
    assert dot_quote("x\r\ny\rz\x00") == '"x\\ny\\nz\ufffd"'
    assert dot_html_escape("<b>&\"'[]{}\\\n\t") == "&lt;b&gt;&amp;&quot;&#39;[&#93;&#123;&#125;\\\\<BR/> "


def test_ids_and_references_are_prefixed_so_diagrams_can_share_a_page() -> None:
    source = 'digraph G { a [style=filled, fillcolor="red:blue"]; b [style=radial, fillcolor="white:black"]; a -> b }'
    one = inline_svg(_dot(source), "one")
    two = inline_svg(_dot(source), "two")
    ids_one = {e.get("id") for e in _check_inline(one, "one").iter()} - {None}
    ids_two = {e.get("id") for e in _check_inline(two, "two").iter()} - {None}
    assert {"one-graph0", "one-node1", "one-edge1", "one-l_0", "one-r_0"} <= ids_one
    assert not ids_one & ids_two
    assert 'fill="url(#one-l_0)"' in one and 'fill="url(#one-r_0)"' in one


def test_titles_read_as_labels_and_tooltips_show_in_browsers() -> None:
    name = 'C:\\jobs & "<x>"\nnext'
    source = f'digraph {dot_quote(name)} {{ n [label={dot_quote(name)}, tooltip={dot_quote("tip & <b>")}, URL="x"] }}'
    root = _check_inline(inline_svg(_dot(source), "d"), "d")
    assert root.get("aria-label") == 'C:\\jobs & "<x>" next'
    assert next(root.iter(f"{NS}title")).text == name
    link = next(root.iter(f"{NS}a"))
    assert link[0].tag == f"{NS}title" and link[0].text == "tip & <b>"


def test_repeated_and_odd_ids_become_unique_and_html_safe() -> None:
    out = inline_svg(_dot('digraph { a [id="same"]; b [id="same"]; c [id="odd id/\\"x"] }'), "d")
    ids = [e.get("id") for e in _check_inline(out, "d").iter() if e.get("id")]
    assert {"d-same", "d-same-2", "d-odd_id__x"} <= set(ids)


def test_the_same_input_gives_the_same_bytes() -> None:
    source = "digraph { " + " ".join(dot_quote(n) + ";" for n in NASTY) + ' a -> b [URL="x.html"] }'
    assert inline_svg(_dot(source), "d") == inline_svg(_dot(source), "d")


def test_links_are_kept_and_internal_fragments_follow_their_ids() -> None:
    source = (
        'digraph { a [URL="../flows/a.html", target="_top"]; b [URL="https://example.org/x?p=1&q=2"]; '
        'c [URL="#node1"]; d [URL="#elsewhere"]; e [URL="mailto:x@example.org"] }'
    )
    root = _check_inline(inline_svg(_dot(source), "d"), "d")
    hrefs = [a.get(XLINK_HREF) for a in root.iter(f"{NS}a")]
    assert hrefs == [
        "../flows/a.html",
        "https://example.org/x?p=1&q=2",
        "#d-node1",
        "#elsewhere",
        "mailto:x@example.org",
    ]


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:x", "java\tscript:x", "data:text/html,x", "vbscript:x"],
)
def test_unsafe_links_are_refused(url: str) -> None:
    with pytest.raises(UnsafeSvg, match="link"):
        inline_svg(_dot(f"digraph {{ a [URL={dot_quote(url)}] }}"), "d")


def test_html_label_links_are_checked_too() -> None:
    source = 'digraph { a [shape=none, label=<<TABLE><TR><TD HREF="javascript:alert(1)">x</TD></TR></TABLE>>] }'
    with pytest.raises(UnsafeSvg):
        inline_svg(_dot(source), "d")


@pytest.mark.parametrize(
    ("svg", "error"),
    [
        ('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', UnsafeSvg),
        ('<svg xmlns="http://www.w3.org/2000/svg"><g onclick="alert(1)"/></svg>', UnsafeSvg),
        ('<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>', UnsafeSvg),
        ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:h="urn:h"><g h:x="1"/></svg>', UnsafeSvg),
        ('<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>', UnsafeSvg),
        ("<html/>", ValueError),
        ("<svg", ValueError),
    ],
)
def test_anything_graphviz_would_not_write_is_refused(svg: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        inline_svg(svg, "d")


def test_bad_diagram_ids_are_refused() -> None:
    for bad in ["", "1abc", 'a"b', "a b", "a>b"]:
        with pytest.raises(ValueError, match="diagram id"):
            inline_svg('<svg xmlns="http://www.w3.org/2000/svg"/>', bad)


def test_graphviz_entities_and_bare_ampersands_are_repaired() -> None:
    # Graphviz 2.43 writes a raw & in URLs and HTML entity names in <title>s: neither is XML.
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10pt" '
        'viewBox="0 0 10 10"><g id="graph0" class="graph"><title>%3</title><g id="node1" class="node">'
        '<title>a&nbsp;b &amp; &#0;</title><a xlink:href="/x?a=1&b=2"><text>t</text></a></g></g></svg>'
    )
    out = inline_svg(svg, "d", label="Flow A")
    root = _check_inline(out, "d")
    assert root.get("aria-label") == "Flow A" and root.get("style") == "max-width: 10pt; height: auto"
    titles = [t.text for t in root.iter(f"{NS}title")]
    assert titles == ["a\xa0b & \ufffd"]  # the anonymous graph's "%3" tooltip is gone
    assert next(root.iter(f"{NS}a")).get(XLINK_HREF) == "/x?a=1&b=2"


def _every_kind_of_svg() -> list[str]:
    """SVGs with hostile names, labels, tooltips, links, gradients, repeated ids and an anonymous graph."""
    named = "\n".join(dot_quote(name) + ";" for name in NASTY)
    labelled = "\n".join(
        f'n{i} [label={dot_quote(n)}, tooltip={dot_quote(n)}, URL="p{i}.html"];' for i, n in enumerate(NASTY)
    )
    html = "\n".join(f"n{i} [shape=box, label=<{dot_html_escape(name)}>];" for i, name in enumerate(NASTY))
    return [
        _dot(f"digraph {dot_quote('<script>G</script> -->')} {{\n{named}\n}}"),
        _dot(f"digraph {{\n{labelled}\n}}"),
        _dot(f"digraph {{\n{html}\n}}"),
        _dot('digraph G { a [style=filled, fillcolor="red:blue"]; b [style=radial, fillcolor="white:black"]; a -> b }'),
        _dot('digraph { a [id="same"]; b [id="same"]; c [id="odd id/\\"x"]; d [URL="#node1"]; a -> d }'),
        (  # a hand-written one: references to NUL, an entity Graphviz leaves, an anonymous graph
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 9 9">'
            '<g id="graph0" class="graph"><title>%3</title><g id="node1" class="node"><title>a&nbsp;b &#0; &#x0;'
            '</title><a xlink:href="/x?a=1&b=2"><text>&#0;</text></a></g></g></svg>'
        ),
    ]


def test_a_template_placed_is_exactly_what_inline_svg_writes() -> None:
    # The plugin sanitises each distinct SVG once and places each diagram's id in the template.
    for svg in _every_kind_of_svg():
        template = inline_svg_template(svg)
        assert ID_SLOT not in inline_svg(svg, "d")  # the slot is never text
        for diagram_id in ("d", "lf-signal-sig-001", "flow_2"):
            assert place_id(template, diagram_id) == inline_svg(svg, diagram_id)
        assert place_id(inline_svg_template(svg, "a label"), "d") == inline_svg(svg, "d", "a label")
    with pytest.raises(ValueError, match="diagram id"):
        place_id(template, "1-bad")
    with pytest.raises(ValueError, match="NUL"):
        inline_svg_template(svg, "a\x00label")
