"""The README's screenshots: the site built from the embedded registry, in headless Chromium, light palette.

    .venv/bin/python -m tests.browser.screenshots [OUT_DIR]     # `make screenshots`; OUT_DIR: docs/images

Builds the site of this checkout's mkdocs.yml into a scratch folder, serves it
from 127.0.0.1 and writes one PNG per entry of `SHOTS` into OUT_DIR. Run it
after a change to what the home page or a producer page shows, look at the
pictures, and commit them with the change.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tests.browser.harness import browser_page, chromium, serve_directory

if TYPE_CHECKING:
    from playwright.sync_api import Browser, FloatRect, Page

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "images"
VIEWPORT = (1280, 900)


@dataclass(frozen=True)
class Shot:
    file: str  # the PNG's name
    path: str  # the page, relative to the site's root
    until: str  # a CSS selector: the picture ends below the first element it matches ("" for the whole page)


SHOTS = (
    Shot("home.png", "", ""),
    Shot("producer.png", "producers/graduation-evaluator/", "svg.layerflow-diagram"),
)
MARGIN = 24  # px below `until`


def build_site(site: Path, root: Path = ROOT) -> None:
    """The site of `root`'s mkdocs.yml, built into `site` with the checkout's ProperDocs."""
    properdocs = Path(sys.executable).parent / "properdocs"
    env = {**os.environ, "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"}
    command = [str(properdocs), "build", "-q", "-f", str(root / "mkdocs.yml"), "-d", str(site)]
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False, timeout=600)
    if result.returncode != 0:
        raise SystemExit(f"the site did not build:\n{result.stderr}")


def take(site: Path, out: Path, shots: tuple[Shot, ...] = SHOTS, browser: Browser | None = None) -> list[Path]:
    """Each shot of the built `site` as a PNG in `out`, in the light palette; the files written.

    Uses `browser` when given (one Playwright per process), else starts its own Chromium.
    """
    if browser is None:
        with chromium() as own:
            return take(site, out, shots, own)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with serve_directory(site) as base_url:
        for shot in shots:
            with browser_page(browser=browser, color_scheme="light", viewport=VIEWPORT) as (page, errors):
                page.goto(base_url + shot.path, wait_until="load")
                page.evaluate("document.fonts.ready")
                target = out / shot.file
                # Material fades the navigation tabs in: with animations disabled the picture shows them as they end.
                if shot.until:
                    height = _height_until(page, shot)
                    clip: FloatRect = {"x": 0.0, "y": 0.0, "width": float(VIEWPORT[0]), "height": height}
                    page.screenshot(path=target, full_page=True, animations="disabled", clip=clip)
                else:
                    page.screenshot(path=target, full_page=True, animations="disabled")
                if errors:
                    raise SystemExit(f"{shot.path}: the page reported errors: {errors}")
                written.append(target)
    return written


def _height_until(page: Page, shot: Shot) -> float:
    """From the top of the page to `MARGIN` below the first element `shot.until` matches."""
    box = page.locator(shot.until).first.bounding_box()
    if box is None:
        raise SystemExit(f"{shot.path}: nothing matches {shot.until!r} to end the picture at")
    return float(min(box["y"] + box["height"] + MARGIN, page.evaluate("document.body.scrollHeight")))


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else OUT
    with tempfile.TemporaryDirectory(prefix="layerflow-screenshots-") as scratch:
        site = Path(scratch) / "site"
        build_site(site)
        for path in take(site, out):
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
