"""Where entity pages live; the CLI report has none, the site has all."""

from __future__ import annotations

from dataclasses import dataclass

from layerflow.render.escape import md


@dataclass(frozen=True, slots=True)
class Links:
    """Links to the Markdown sources of pages (MkDocs checks them); `prefix` climbs to the docs root."""

    prefix: str = ""
    enabled: bool = True

    def signal(self, uid: str) -> str:
        return f"{self.prefix}signals/{uid.lower()}.md"

    def producer(self, producer_id: str) -> str:
        return f"{self.prefix}producers/{producer_id}.md"

    def gap(self, gap_id: str) -> str:
        return f"{self.prefix}gaps/{gap_id.lower()}.md"

    def change(self, change_id: str) -> str:
        return f"{self.prefix}changes/{change_id.lower()}.md"

    def link(self, text: str, url: str) -> str:
        label = md(text)
        return f"[{label}]({url})" if self.enabled else label


NO_LINKS = Links(enabled=False)
