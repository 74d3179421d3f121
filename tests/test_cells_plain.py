"""`cells.plain` answers most cells from one search; whatever it answers must be what the full cleaning gives."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from layerflow.parse import cells


def cleaned_the_long_way(cell: str) -> str:
    """Every substitution `plain` may make, made unconditionally, in its order."""
    text = cells._CODE.sub(lambda m: m.group(1), cell)
    text = cells._LINK.sub(lambda m: m.group(1), text)
    text = cells._EMPHASIS.sub(lambda m: m.group(2) or m.group(3) or "", text)
    text = cells._TAG.sub(" ", text)
    text = text.replace("\\|", "|")
    text = cells._STATUS_MARKS.sub("", text)
    return " ".join(text.split())


cell_text = st.text(alphabet=st.sampled_from("ab _*`[]()<>br/\\|-\t\u2705\u274c\ufe0f\U0001f534L7"), max_size=24)


@settings(max_examples=1500, deadline=None)
@given(cell=cell_text)
@example(cell="snake_case_name.py")
@example(cell="__init__.py")
@example(cell="a __b__ c")
@example(cell="x_y `z` \u2705 YES")
def test_plain_is_the_full_cleaning(cell: str) -> None:
    assert cells.plain(cell) == cleaned_the_long_way(cell)


def test_a_single_underscore_is_text() -> None:
    assert cells.plain("consumer_2597.py (L6)") == "consumer_2597.py (L6)"
    assert cells.plain("a __strong__ word") == "a strong word"
