"""Material's page frame (head, header, footer, config and scripts) rendered once per folder for generated pages.

After the nav and tabs (adapters/shared_partials.py), most of what Material's
templates still cost on an entity page was the frame around its content: the
head's styles and scripts, the header, the footer, the `__config` JSON and the
scripts at the end. On a page outside the nav none of those reads the page
except through its URL (links are made relative to it) and, in the header, its
title. So, for the same pages shared_partials shares the nav of (generated,
outside the nav, no nav page under their URL; keyed by folder and base URL):

- the blocks in BLOCKS are rendered for the first page of a folder and reused,
  each only while the page has nothing its block would show of it (no
  previous or next page, no description, author or canonical URL);
- the header is rendered once per folder with a stand-in title, and each page
  gets that HTML with its own title put where the stand-in was;
- content.html likewise, with stand-ins for the title and the content, on
  pages without tags, edit URL, dates, authors, feedback or `hide` (it prints
  an H1 of the title only when the content has none: one HTML for each case).

What the blocks and the header read was checked by reading Material's
templates, so this runs only with those very files: the templates they render
must be Material's own (no theme override), and base.html, main.html, header.html,
footer.html, content.html and its partials must be the ones read (PINNED, by SHA-256; base.html names its
Material release). Any other Material renders every page as before. The cache
lives in one build's Jinja environment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Any

import jinja2

from layerflow.adapters.shared_partials import _materials_own, _once_per_key, folder_key

# Blocks of base.html that read no more of a page than its URL, under the conditions of _plain below.
BLOCKS = ("site_meta", "styles", "libs", "fonts", "analytics", "extrahead", "footer", "config", "scripts")
HEADER = "partials/header.html"
CONTENT = "partials/content.html"
# The files the above was read from (Material 9.8.1): any other version or edit turns this module off.
PINNED = {
    "base.html": "8536d352b0093623df9e0032894f321cbe264b15a9b48cdd962583772455dadb",
    "main.html": "9948b55a7bc979c35825df99baba9e6971fca4eb298dea3cdde61e990a2de5e0",
    HEADER: "8cf3fb15bcf969ff596649616fd99366b3c31c08d57a86d05308efc16d8fa75f",
    "partials/footer.html": "50c2a75f013b7b03fb97f381860c77df8fd5d13d68f90d3281754b68f69ec894",
    CONTENT: "ce33929c85af129f6e2f3b0aed47159e9c4a519482d1938bae15f5ff4a3cfae5",
    "partials/tags.html": "166225609857c8536fc2cd3da99ba1b7513df8b57d6613a0303bba44a11b9fba",
    "partials/actions.html": "1bcd66d6f428194e9b9842764f0a5f7a5b3679d008e9d2e5b75b5ba344c39073",
    "partials/source-file.html": "ce5277decac9a8cf3cd44eaa490f010ae985d81ebf68b84239c02da6946718d0",
    "partials/feedback.html": "d47879b262c1d49f66f3572974457844bc5c74542790803a39f121d7655f39cb",
    "partials/comments.html": "bacd2a2e0dbfb6d23d1caff4174d2642253348e10b145e047486f7c8d7be1b38",
}
# Everything those blocks and the header include: each must be Material's own file too.
_INCLUDED = (
    *PINNED,
    "partials/language.html",
    "partials/icons.html",
    "partials/integrations/analytics.html",
    "partials/copyright.html",
    "partials/social.html",
    "partials/logo.html",
    "partials/palette.html",
    "partials/javascripts/palette.html",
    "partials/alternate.html",
    "partials/search.html",
    "partials/source.html",
    "partials/tabs.html",
)
_STAND_IN = "\x00layerflow-title\x00"  # no page title holds a NUL: MkDocs reads Markdown as text without one
_STAND_IN_CONTENT = "\x00layerflow-content\x00"
# Front matter content.html's partials do not read (they read `hide`, dates and, for feedback, the title).
_BARE_META = frozenset({"title", "search"})


def share(env: jinja2.Environment) -> None:
    """Put the per-folder cache in front of Material's page-frame blocks and header in this build's environment."""
    if env.autoescape or not _pinned(env) or not _materials_own(env, _INCLUDED):
        return  # escaped output would print a title otherwise than the str() put in below
    folder = folder_key()
    base = env.get_template("base.html")
    for name in BLOCKS:
        if name in base.blocks:
            base.blocks[name] = _block_once(base.blocks[name], folder)
    header = env.get_template(HEADER)
    header.root_render_func = _header_once(header.root_render_func, folder)
    content = env.get_template(CONTENT)
    content.root_render_func = _content_once(content.root_render_func, folder)


def _pinned(env: jinja2.Environment) -> bool:
    if env.loader is None:
        return False
    for name, digest in PINNED.items():
        try:
            source, _, _ = env.loader.get_source(env, name)
        except jinja2.TemplateNotFound:
            return False
        if hashlib.sha256(source.encode("utf-8")).hexdigest() != digest:
            return False
    return True


def _plain(context: Any) -> bool:
    """Whether the page is main.html's and shows nothing of itself in the shared blocks: the footer shows the
    previous and next pages, the head the description, author and canonical URL."""
    page = context.get("page")
    if context.name != "main.html" or page.previous_page is not None or page.next_page is not None:
        return False
    meta = page.meta
    return not (page.canonical_url or (meta and (meta.get("description") or meta.get("author"))))


def _block_once(
    render: Callable[[Any], Iterator[str]], key_of: Callable[[Any], str | None]
) -> Callable[[Any], Iterator[str]]:
    """A block rendered once per key, for the pages whose block shows nothing of them (`_plain`)."""
    return _once_per_key(render, lambda context: key_of(context) if _plain(context) else None)


class _StandIn:
    """The page as a shared template sees it when rendered once for its folder: some attributes stand-ins."""

    def __init__(self, page: Any, **stand_ins: Any) -> None:
        self._page = page
        self.__dict__.update(stand_ins)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._page, name)


def _header_once(
    render: Callable[[Any], Iterator[str]], key_of: Callable[[Any], str | None]
) -> Callable[[Any], Iterator[str]]:
    """header.html prints `page.meta.title` if set, else `page.title`, and reads nothing else of the page."""
    halves: dict[str, tuple[str, str] | None] = {}

    def root_render_func(context: Any) -> Iterator[str]:
        key = key_of(context)
        if key is not None and key not in halves:
            stand_in = _StandIn(context["page"], meta={"title": _STAND_IN}, title=_STAND_IN)
            made = "".join(render(context.derived({"page": stand_in})))
            parts = made.split(_STAND_IN)
            halves[key] = (parts[0], parts[1]) if len(parts) == 2 else None  # else: the title shows elsewhere too
        split = halves.get(key) if key is not None else None
        if split is None:
            yield from render(context)
            return
        page = context["page"]
        title = page.meta["title"] if page.meta and page.meta.get("title") else page.title
        yield split[0] + str(title) + split[1]

    return root_render_func


def _bare(context: Any) -> bool:
    """Whether content.html shows nothing of the page but its title and content: no tags, edit URL, dates,
    authors, feedback form (which names the page) or `hide` in its front matter."""
    page, config = context["page"], context["config"]
    if page.edit_url or not isinstance(page.content, str) or any(key not in _BARE_META for key in page.meta or ()):
        return False
    return not any(context.get(name) for name in ("tags", "git_info", "committers")) and not config.extra.get(
        "analytics"
    )


def _content_once(
    render: Callable[[Any], Iterator[str]], key_of: Callable[[Any], str | None]
) -> Callable[[Any], Iterator[str]]:
    """content.html prints an H1 of `page.title` (or the site name) when the content has none, then the content,
    around page-free partials. Rendered once per folder and per "has an H1", with stand-ins for both."""
    parts_of: dict[tuple[str, bool], list[str] | None] = {}

    def root_render_func(context: Any) -> Iterator[str]:
        key = key_of(context)
        page = context["page"]
        if key is None or not _bare(context):
            yield from render(context)
            return
        titled = "\u003ch1" not in page.content
        if (key, titled) not in parts_of:
            content = _STAND_IN_CONTENT if titled else "\u003ch1" + _STAND_IN_CONTENT
            stand_in = _StandIn(page, title=_STAND_IN, content=content)
            made = "".join(render(context.derived({"page": stand_in})))
            cut = [piece for part in (made.split(_STAND_IN) if titled else [made]) for piece in part.split(content)]
            in_order = not titled or made.find(_STAND_IN) < made.find(content)  # the H1, then the content
            parts_of[(key, titled)] = cut if in_order and len(cut) == (3 if titled else 2) else None
        parts = parts_of[(key, titled)]
        if parts is None:
            yield from render(context)
        elif titled:  # `page.title | d(config.site_name, true)`
            yield parts[0] + str(page.title or context["config"].site_name) + parts[1] + page.content + parts[2]
        else:
            yield parts[0] + page.content + parts[1]

    return root_render_func
