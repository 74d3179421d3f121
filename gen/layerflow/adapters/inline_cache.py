"""Graphviz SVGs made inline-safe once per distinct SVG: memoised in memory and, beside the SVG cache, on disk."""

from __future__ import annotations

import hashlib
import inspect
import logging
import os

from layerflow.adapters.atomic import write_atomically
from layerflow.render import svg as svg_module
from layerflow.render.svg import inline_svg_template, place_id

log = logging.getLogger("mkdocs.plugins.layerflow")


_INLINE_CACHE: dict[str, str] = {}  # SVG -> inline template; survives `serve` rebuilds, which make new plugin objects


def inline_diagram(key: str, svg: str, cache_dir: str) -> str:
    """Graphviz SVG made inline-safe, sanitised once per distinct SVG, memoised in memory and, beside the
    SVG cache, on disk; each key then only places its own id (many decision trees draw the same SVG).

    Sanitising re-parses every SVG and was a quarter of the plugin's time on a warm build.
    The disk key includes the sanitiser's own source, so changing svg.py invalidates it.
    """
    return place_id(_template(svg, key, cache_dir), f"lf-{key}")


def _template(svg: str, key: str, cache_dir: str) -> str:
    found = _INLINE_CACHE.get(svg)
    if found is not None:
        return found
    if len(_INLINE_CACHE) > 100_000:
        _INLINE_CACHE.clear()
    path = ""
    if cache_dir:
        digest = hashlib.sha256(f"{_SANITISER}\0{svg}".encode()).hexdigest()
        path = os.path.join(cache_dir, f"inline-{digest}.svg")
        try:
            with open(path, encoding="utf-8") as cached:
                found = cached.read()
        except OSError:
            found = None
    if found is None:
        found = inline_svg_template(svg, name=f"lf-{key}")
        if path:
            try:
                write_atomically(path, found)
            except OSError as exc:  # a cache that cannot be written only costs time
                log.debug(f"layerflow: cannot cache {path}: {exc}")
    _INLINE_CACHE[svg] = found
    return found


_SANITISER = hashlib.sha256(inspect.getsource(svg_module).encode()).hexdigest()
