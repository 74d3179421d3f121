"""The shared Markdown blocks: a placeholder written by the pages is found and swapped by the plugin."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from layerflow.render.markup import admonition, fragment_keys, placeholder, swap_fragments, table

KEYS = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30)


@given(st.lists(KEYS, max_size=5))
def test_every_placeholder_is_found_with_its_key(keys: list[str]) -> None:
    text = "\n\n".join(f"<p>before</p>\n{placeholder(k)}" for k in keys)
    assert fragment_keys(text) == keys


@given(st.lists(KEYS, min_size=1, max_size=5))
def test_swap_replaces_each_placeholder_by_its_fragment(keys: list[str]) -> None:
    text = "".join(f"[{placeholder(k)}]" for k in keys)
    assert swap_fragments(text, lambda key, _: f"<{len(key)}>") == "".join(f"[<{len(k)}>]" for k in keys)


def test_swap_can_keep_a_placeholder_for_later() -> None:
    text = f"a {placeholder('diagram')} b {placeholder('evidence')}"
    swapped = swap_fragments(text, lambda key, kept: "<p>E</p>" if key == "evidence" else kept)
    assert swapped == f"a {placeholder('diagram')} b <p>E</p>"
    assert fragment_keys(swapped) == ["diagram"]


def test_table_and_admonition_shapes() -> None:
    assert table(("A", "B"), [("1", "")]) == ["| A | B |", "|---|---|", "| 1 | — |"]
    assert admonition("note", "T", ["one", "two"]) == ['!!! note "T"', "", "    one", "    two"]
