"""What the plugin adds to a user's MkDocs configuration, so `plugins: [search, layerflow]` is the whole setup.

- the site's stylesheet and script (diagram colours in both palettes, sortable tables), shipped as package data
  and added as generated files, unless the user lists a `layerflow.css` / `layerflow.js` of their own;
- the Markdown extensions the generated pages are written for (`admonition` and layerflow's escapes of `~`
  and `$`; MkDocs itself always enables `toc`, `tables` and `fenced_code`), appended to the user's list, never
  replacing an entry or its options;
- entity pages (one per producer, signal, gap, change record, source file) kept out of an automatic nav:
  MkDocs draws the whole nav into every page, so thousands of them would make every page quadratic.

A user's own `nav`, theme palette and `extra_css` stay as they are; ours come after theirs.
"""

from __future__ import annotations

from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel

from layerflow.adapters.site_files import asset_text

ASSET_DIR = "assets/layerflow"
STYLESHEET = f"{ASSET_DIR}/layerflow.css"
SCRIPT = f"{ASSET_DIR}/layerflow.js"
# Markdown the generated pages use that MkDocs does not enable by itself: admonitions, and `\~` / `\$` read
# as the escapes render.escape writes (adapters/markdown_escapes.py).
EXTENSIONS = ("admonition", "layerflow.adapters.markdown_escapes")
# The pages listed in a nav: the home page, the report and each section's index; the rest are entity pages.
_NAV_PAGES = frozenset({"index.md", "report.md", "findings.md", "rules.md", "layers.md"})


def _named(entry: object) -> str:
    return str(getattr(entry, "path", entry))


def add_to_config(config: MkDocsConfig) -> list[str]:
    """Add our stylesheet, script and Markdown extensions to the config; the asset paths to generate."""
    wanted: list[str] = []
    if not any(_named(e).rsplit("/", 1)[-1] == "layerflow.css" for e in config.extra_css):
        config.extra_css.append(STYLESHEET)
        wanted.append(STYLESHEET)
    if not any(_named(e).rsplit("/", 1)[-1] == "layerflow.js" for e in config.extra_javascript):
        config.extra_javascript.append(ExtraScriptValue(SCRIPT))
        wanted.append(SCRIPT)
    enabled = {_named(e) for e in config.markdown_extensions}
    for extension in EXTENSIONS:
        if extension not in enabled:
            config.markdown_extensions.append(extension)
    return wanted


def add_assets(files: Files, config: MkDocsConfig, wanted: list[str]) -> None:
    """The stylesheet and script as generated files; a file of the user's at the same path wins."""
    for path in wanted:
        if files.get_file_from_path(path) is None:
            files.append(File.generated(config, path, content=asset_text(path.rsplit("/", 1)[-1])))


def nav_inclusion(path: str) -> InclusionLevel:
    """Index pages may go in an automatic nav; entity pages are reached from them, not from the sidebar."""
    if path in _NAV_PAGES or path.endswith("/index.md"):
        return InclusionLevel.UNDEFINED
    return InclusionLevel.NOT_IN_NAV
