"""Where entity pages live; the CLI report has none, the site has all."""

from __future__ import annotations

from dataclasses import dataclass, field

from layerflow.model import Location
from layerflow.render.escape import md, md_code


@dataclass(frozen=True, slots=True)
class Links:
    """Links to the Markdown sources of pages (MkDocs checks them); `prefix` climbs to the docs root."""

    prefix: str = ""
    enabled: bool = True
    sources: frozenset[str] = field(default=frozenset())  # code files that have a source page

    def source(self, location: Location) -> str:
        """`path:line` as code, linked to that line of the file's source page when the site has one."""
        text = md_code(str(location))
        if not self.enabled or location.path not in self.sources:
            return text
        anchor = f"#L{location.line}" if location.line else ""
        return f"[{text}]({self.prefix}{source_page_path(location.path)}{anchor})"

    def signal(self, uid: str) -> str:
        return f"{self.prefix}signals/{uid.lower()}.md"

    def producer(self, producer_id: str) -> str:
        return f"{self.prefix}producers/{producer_id}.md"

    def gap(self, gap_id: str) -> str:
        return f"{self.prefix}gaps/{gap_id.lower()}.md"

    def change(self, change_id: str) -> str:
        return f"{self.prefix}changes/{change_id.lower()}.md"

    def index(self, section: str) -> str:
        """A section's index page: "producers", "signals", "gaps", "changes"."""
        return f"{self.prefix}{section}/index.md"

    def report(self) -> str:
        return f"{self.prefix}report.md"

    def store(self, key: str) -> str:
        """A store's page: `key` is its slug (pages.stores.store_slug)."""
        return f"{self.prefix}stores/{key}.md"

    def rules(self) -> str:
        return f"{self.prefix}rules.md"

    def layers(self) -> str:
        return f"{self.prefix}layers.md"

    def link(self, text: str, url: str) -> str:
        label = md(text)
        return f"[{label}]({url})" if self.enabled else label


NO_LINKS = Links(enabled=False)


def source_page_path(path: str) -> str:
    """Where a code file's page lives in the docs: source/<path>.md."""
    return f"source/{path}.md"


def has_source_page(path: str) -> bool:
    """Only plain relative paths get pages: nothing may climb out of source/."""
    parts = path.split("/")
    return bool(path) and not path.startswith("/") and ".." not in parts and "" not in parts
