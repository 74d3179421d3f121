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


# sha256 of the sanitiser and the SVG -> inline template; survives `serve` rebuilds, which make new plugin
# objects. Keyed by digest, not by the SVG text, so a build holds one copy of each diagram, not two.
_INLINE_CACHE: dict[str, str] = {}


def inline_diagram(key: str, svg: str, cache_dir: str) -> str:
    """Graphviz SVG made inline-safe with its own id: `place_id(inline_template(...), f"lf-{key}")`."""
    return place_id(inline_template(key, svg, cache_dir), f"lf-{key}")


def inline_template(key: str, svg: str, cache_dir: str, memo: dict[str, str] | None = None) -> str:
    """Graphviz SVG made inline-safe, sanitised once per distinct SVG, memoised in memory and, beside the
    SVG cache, on disk; a page then only places its diagram's own id (`place_id`, when it is written), so
    equal SVGs (many decision trees draw the same one) share one template.

    Sanitising re-parses every SVG and was a quarter of the plugin's time on a warm build.
    The disk key includes the sanitiser's own source, so changing svg.py invalidates it.
    `memo`: where templates are memoised in memory (default: for the life of the process, which `serve`
    wants; a one-off build passes its own, so its templates go when its pages are written).
    """
    if memo is None:
        memo = _INLINE_CACHE
    digest = hashlib.sha256(f"{_SANITISER}\0{svg}".encode()).hexdigest()
    found = memo.get(digest)
    if found is not None:
        return found
    if len(memo) > 100_000:
        memo.clear()
    path = ""
    if cache_dir:
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
    memo[digest] = found
    return found


_SANITISER = hashlib.sha256(inspect.getsource(svg_module).encode()).hexdigest()
