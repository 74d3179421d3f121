"""Material's sidebar nav, tabs and search box rendered once per folder for the generated pages outside the nav.

Material renders the whole site nav (and the tabs) into every page, with each
link relative to that page and the current page's entry marked active. A page
the nav does not list has no entry to mark, so its nav and tabs differ from
another such page's only by where the links start from: every entity page in
`signals/` gets the same HTML. On a 1k-signal site rendering them was a quarter
of the build (the nav, 20%; the tabs, 6%), for 1,600 copies of a few distinct
strings.

`share` wraps those partials (and the search box, which shows nothing of the
page) in this build's Jinja environment so that a generated page outside the
nav gets the HTML rendered for the first such page of its folder. It does so
only where the result cannot differ:

- the partials and the templates they include are Material's own files (a
  theme override may read anything from the page, so none is shared then);
- the page is not in the nav, and no nav page lies under the page's own URL
  (the only way two pages of one folder can see different relative links).

Anything else renders as before. The cache lives in the environment of one
build, so an edit under `serve` never sees an earlier build's nav.
"""

from __future__ import annotations

import importlib.util
import os
import posixpath
from collections.abc import Callable, Iterator
from typing import Any

import jinja2
from mkdocs.structure.nav import Navigation

from layerflow.adapters.fingerprints import GeneratedPage

SHARED = ("partials/nav.html", "partials/tabs.html", "partials/search.html")
# What those two render, each of which a theme's custom_dir could replace.
_RENDERED = (
    *SHARED,
    *("partials/nav-item.html", "partials/tabs-item.html", "partials/logo.html", "partials/source.html"),
    "partials/toc.html",
)


def _material_templates() -> str | None:
    spec = importlib.util.find_spec("material")
    if spec is None or spec.origin is None:
        return None
    return os.path.realpath(os.path.join(os.path.dirname(spec.origin), "templates"))


def share(env: jinja2.Environment) -> None:
    """Put the per-folder cache in front of the nav and tabs partials of this build's environment."""
    if not _materials_own(env):
        return
    folder = folder_key()
    for name in SHARED:
        try:
            template = env.get_template(name)
        except jinja2.TemplateNotFound:
            continue
        template.root_render_func = _once_per_key(template.root_render_func, folder)


def folder_key() -> Callable[[Any], str | None]:
    """A key for what a render context shows alike on every page of one folder: None for a page that is not
    generated, is in the nav, or has a nav page under its URL (those render as they always did)."""
    urls_of: dict[int, tuple[Navigation, list[list[str]]]] = {}  # the nav pages are rendered with: its pages' URLs
    last: list[Any] = [None, None, None, None]  # page, nav, base URL, key: a page asks about a dozen times in a row

    def folder(context: Any) -> str | None:
        page, nav, base_url = context.get("page"), context.get("nav"), context.get("base_url")
        if page is last[0] and nav is last[1] and base_url == last[2]:
            return last[3]  # type: ignore[no-any-return]
        last[:] = page, nav, base_url, _folder(page, nav, base_url)
        return last[3]  # type: ignore[no-any-return]

    def _folder(page: Any, nav: Any, base_url: Any) -> str | None:
        if page is None or not isinstance(nav, Navigation) or not isinstance(page.file, GeneratedPage):
            return None
        if id(nav) not in urls_of:
            urls_of[id(nav)] = (nav, [listed.url.strip("/").split("/") for listed in nav.pages])
        parts = page.url.strip("/").split("/")
        if any(url[: len(parts)] == parts for url in urls_of[id(nav)][1]):
            # The page is in the nav (its entry is marked), or a nav page is under it (a sibling's link differs).
            return None
        return f"{id(nav)}\0{posixpath.dirname(page.url.rstrip('/'))}\0{base_url}"

    return folder


def _once_per_key(
    render: Callable[[Any], Iterator[str]], key_of: Callable[[Any], str | None]
) -> Callable[[Any], Iterator[str]]:
    rendered: dict[str, str] = {}

    def root_render_func(context: Any) -> Iterator[str]:
        key = key_of(context)
        if key is None:
            yield from render(context)
            return
        html = rendered.get(key)
        if html is None:
            html = rendered[key] = "".join(render(context))
        yield html

    return root_render_func


def _materials_own(env: jinja2.Environment, names: tuple[str, ...] = _RENDERED) -> bool:
    """Whether every template of names (by default those the shared partials render) is Material's own file."""
    loader, own = env.loader, _material_templates()
    if loader is None or own is None:
        return False
    for name in names:
        try:
            _, filename, _ = loader.get_source(env, name)
        except jinja2.TemplateNotFound:
            continue
        if filename is None or not os.path.realpath(filename).startswith(own + os.sep):
            return False
    return True
