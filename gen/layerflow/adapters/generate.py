"""`layerflow generate OUT_DIR`: the plugin's pages as plain files, for builders that run no layerflow plugin.

The Markdown pages with their diagrams inline, the stylesheet and script, and `layerflow-nav.yml` (the nav,
assets and Markdown extension to merge into mkdocs.yml). From the same renderer as the plugin
(`site_files.render_site`), so the page set is the plugin's. For a mkdocs-gen-files script:

    import mkdocs_gen_files
    from layerflow.adapters.generate import generated_files

    for path, text in generated_files(base="registry").items():
        with mkdocs_gen_files.open(path, "w") as out:
            out.write(text)
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping, Sequence

from layerflow.adapters.application import load_and_analyse
from layerflow.adapters.judge import Judging, judged
from layerflow.adapters.load import DEFAULT_DIR, Sources
from layerflow.adapters.site_files import asset_text, inline_diagrams, render_site
from layerflow.model import Level, Problem
from layerflow.render.standalone import ASSETS, nav_snippet, standalone_pages


class InvalidInput(Exception):
    """The input cannot be analysed; str() lists every located problem, one a line."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


NAV_FILE = "layerflow-nav.yml"
MANIFEST = ".layerflow-generated"  # what the last run wrote, so the next one removes pages that went away


def files_from(
    sources: Sources, layer_names: Mapping[str, str] | None = None, cache_dir: str | None = None
) -> dict[str, str]:
    """Docs path -> text of every generated file; InvalidInput (every located problem) when the input is invalid."""
    analysis, problems = load_and_analyse(sources)
    if analysis is not None:  # suppressions and the baseline, as the plugin applies them: the same pages
        analysis, problems = judged(analysis, sources, Judging())
    if analysis is None:
        raise InvalidInput(tuple(p for p in problems if p.level is Level.ERROR))
    site = render_site(analysis, layer_names or {})
    files = standalone_pages(site, inline_diagrams(site, cache_dir))
    for path in ASSETS:
        files[path] = asset_text(path.rsplit("/", 1)[-1])
    files[NAV_FILE] = nav_snippet(site)
    return files


def generated_files(
    base: str = DEFAULT_DIR,
    *,
    code: Sequence[str] = (),
    ops: Sequence[str] = (),
    layers: Mapping[str, str] | None = None,
    cache_dir: str | None = ".layerflow-cache",
) -> dict[str, str]:
    """The files `layerflow generate` writes, for a script to hand on (paths relative to the working directory)."""
    sources = Sources(base=base, code=tuple(code), ops=tuple(ops), base_given=base != DEFAULT_DIR)
    return files_from(sources, layers, cache_dir)


def write_files(out_dir: str, files: Mapping[str, str]) -> list[str]:
    """Write the files under out_dir, and remove what an earlier run wrote that is no longer generated.

    Files of the user's in out_dir (pages of their own, an about.md) are never touched. Returns the removed paths.
    """
    manifest = os.path.join(out_dir, MANIFEST)
    try:
        with open(manifest, encoding="utf-8") as listed:
            before = {line for line in listed.read().splitlines() if line}
    except OSError:
        before = set()
    removed = sorted(before - set(files))
    for path in removed:
        with contextlib.suppress(OSError):  # gone already
            os.remove(os.path.join(out_dir, path))
    for path, text in sorted(files.items()):
        target = os.path.join(out_dir, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
    os.makedirs(out_dir, exist_ok=True)
    with open(manifest, "w", encoding="utf-8") as listed:
        listed.write("".join(f"{path}\n" for path in sorted(files)))
    return removed
