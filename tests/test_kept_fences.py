"""`serve` gives back the last build's HTML of a code block while the site's Markdown settings are the same."""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import Any

import pytest
from pymdownx.superfences import fence_code_format

from layerflow.adapters.kept_fences import KeptFences, settings_key


def config(extensions: list[Any], configs: dict[str, Any]) -> Any:
    return SimpleNamespace(markdown_extensions=extensions, mdx_configs=configs)


def test_settings_of_plain_data_and_named_functions_compare_from_build_to_build() -> None:
    fences = {"custom_fences": [{"name": "mermaid", "class": "mermaid", "format": fence_code_format}]}
    first = settings_key(config(["toc", "pymdownx.superfences"], {"pymdownx.superfences": fences}))
    again = settings_key(config(["toc", "pymdownx.superfences"], {"pymdownx.superfences": dict(fences)}))
    assert first is not None and first == again
    assert settings_key(config(["toc"], {"toc": {"permalink": True}})) != settings_key(config(["toc"], {}))


def _made(case: str) -> Any:
    def slugify(text: str, separator: str) -> str:
        return text.lower() if case == "lower" else text

    return slugify


@pytest.mark.parametrize(
    "odd",
    [
        object(),  # an extension object
        _made("lower"),  # a closure: its name does not say what it was made with
        functools.partial(fence_code_format, "x"),
        "abc".upper,  # bound to an object
        lambda text: text,
    ],
    ids=["object", "closure", "partial", "bound method", "lambda"],
)
def test_settings_that_hold_objects_are_not_compared(odd: Any) -> None:
    assert settings_key(config(["toc"], {"toc": {"slugify": odd}})) is None
    assert settings_key(config(["toc", odd], {})) is None


def test_a_block_is_converted_once_while_the_settings_stay_the_same() -> None:
    converted: list[str] = []

    def convert(code: str) -> str:
        converted.append(code)
        return f"<pre>{code}</pre>"

    kept = KeptFences()
    kept.start("settings")
    fence = kept.converter(convert)
    assert [fence("a"), fence("b"), fence("a")] == ["<pre>a</pre>", "<pre>b</pre>", "<pre>a</pre>"]
    assert converted == ["a", "b"]
    kept.start("settings")  # the next build: "a" and "b" are kept
    fence = kept.converter(convert)
    assert [fence("a"), fence("c")] == ["<pre>a</pre>", "<pre>c</pre>"]
    assert converted == ["a", "b", "c"]
    kept.start("settings")  # only the last build's blocks: "b" was not shown in it
    fence = kept.converter(convert)
    fence("b")
    fence("a")
    assert converted == ["a", "b", "c", "b"]
    kept.start("other settings")  # mkdocs.yml edited: every block converted again
    kept.converter(convert)("a")
    assert converted[-1] == "a"
    kept.start(None)  # settings that cannot be compared: nothing kept, nothing given back
    fence = kept.converter(convert)
    assert fence is convert
