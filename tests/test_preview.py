"""`serve --dirty` (what `make serve` runs): a one-row edit rebuilds only the pages it changed, and the site
is then what a full build makes of the same files; a change of the page set, of a page the user wrote or of
mkdocs.yml rebuilds everything. Rebuilds run as `serve` runs them (tests/preview_driver.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_site_build import QUIET, build, project_copy

pytestmark = pytest.mark.site
REGISTRY = "registry/SIGNAL_REGISTRY_PYTHON_BASELINE.md"
ROW = "| SIG-003 | StepTrace |"
EDITED = "| SIG-003 | StepRecord |"
NEW_ROW = (
    "| SIG-102 | PreviewProbe | raw | api_call | `probe.py` | L5 | probe_reader.py | L4 | — | PostgreSQL (probes) |"
)


class Server:
    """One process rebuilding one site, as `serve --dirty` does after each edit."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.site = work / "serve-site"
        self.signal_in_nav = False
        driver = Path(__file__).resolve().parent / "preview_driver.py"
        self.log = work / "serve.log"  # a file, not a pipe: the build's warnings never fill a buffer
        with self.log.open("w", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(driver), str(work), str(self.site), "dirty"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                env=QUIET,
            )

    def rebuild(self) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("build\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        assert answer.startswith("built "), self.close()

    def close(self) -> str:
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()
        self.process.wait(timeout=60)
        return self.log.read_text(encoding="utf-8")


@pytest.fixture(params=["automatic nav", "a nav naming a signal page"])
def served(root: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Server]:
    work = project_copy(root, tmp_path)
    if request.param != "automatic nav":  # the example has none: entity pages stay out of the automatic one
        config = (work / "mkdocs.yml").read_text(encoding="utf-8")
        nav = "\nnav:\n  - Home: index.md\n  - signals/sig-003.md\n  - about.md\n"
        (work / "mkdocs.yml").write_text(config.replace("\nplugins:", nav + "\nplugins:", 1), encoding="utf-8")
    server = Server(work)
    server.signal_in_nav = request.param != "automatic nav"
    server.rebuild()
    yield server
    errors = server.close()
    assert "Traceback" not in errors, errors
    assert "A 'dirty' build is being performed" not in errors  # layerflow makes it safe, so it says nothing


def edit(work: Path, old: str, new: str) -> None:
    path = work / REGISTRY
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def pages(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*.html"))}


def stamps(site: Path) -> dict[str, int]:
    return {str(p.relative_to(site)): p.stat().st_mtime_ns for p in sorted(site.rglob("*.html"))}


def search_locations(site: Path) -> list[str]:
    return [entry["location"] for entry in search_entries(site)]


def search_entries(site: Path) -> list[dict[str, object]]:
    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    docs: list[dict[str, object]] = index["docs"]
    return docs


def full_build(work: Path) -> Path:
    result = build(work)
    assert result.returncode == 0, result.stderr
    return work / "site"


def test_one_row_edit_rebuilds_only_the_pages_it_changed(served: Server) -> None:
    before = stamps(served.site)
    edit(served.work, "| /runs/{id}/trace |", "| /runs/{id}/steps |")  # SIG-003's L2 API: no title changes
    served.rebuild()
    after = stamps(served.site)
    rewritten = sorted(path for path in after if after[path] != before.get(path))
    assert "signals/sig-003/index.html" in rewritten
    assert "/runs/{id}/steps" in (served.site / "signals/sig-003/index.html").read_text(encoding="utf-8")
    assert "signals/sig-001/index.html" not in rewritten  # a signal the edit does not touch
    assert "about/index.html" not in rewritten  # a page the user wrote
    assert 0 < len(rewritten) < len(after) // 2, rewritten


def test_a_renamed_signal_in_the_nav_rebuilds_every_page(served: Server) -> None:
    before = stamps(served.site)
    edit(served.work, ROW, EDITED)
    served.rebuild()
    after = stamps(served.site)
    rewritten = [path for path in after if after[path] != before.get(path)]
    if served.signal_in_nav:  # every page's nav names the signal
        assert sorted(rewritten) == sorted(after)
    else:
        assert "about/index.html" not in rewritten


def test_after_an_edit_every_page_is_what_a_full_build_makes(served: Server) -> None:
    edit(served.work, ROW, EDITED)
    served.rebuild()
    served_pages = pages(served.site)
    full_pages = pages(full_build(served.work))
    assert sorted(served_pages) == sorted(full_pages)
    differ = [path for path in served_pages if served_pages[path] != full_pages[path]]
    assert not differ, differ  # the nav of a rebuilt page names the pages left unread by their titles, too


def test_search_index_holds_every_page_once_after_an_edit(served: Server) -> None:
    first = search_locations(served.site)
    edit(served.work, ROW, EDITED)
    served.rebuild()
    locations = search_locations(served.site)
    assert sorted(locations) == sorted(first)  # no page lost, none twice (Material merges as if one was rebuilt)
    index = (served.site / "search/search_index.json").read_text(encoding="utf-8")
    assert "StepRecord" in index
    assert "StepTrace" not in index


def test_a_new_signal_rebuilds_the_whole_site(served: Server) -> None:
    before = stamps(served.site)
    edit(served.work, ROW, NEW_ROW + "\n" + ROW)
    served.rebuild()
    after = stamps(served.site)
    assert "signals/sig-102/index.html" in after
    assert all(after[path] != stamp for path, stamp in before.items() if path in after)  # every page re-rendered
    assert sorted(search_locations(served.site)) == sorted(search_locations(full_build(served.work)))


def test_a_removed_signal_leaves_no_stale_page(served: Server) -> None:
    assert (served.site / "signals/sig-004/index.html").is_file()
    path = served.work / REGISTRY
    path.write_text(
        "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if "SIG-004 " not in line) + "\n",
        encoding="utf-8",
    )
    served.rebuild()
    assert not (served.site / "signals/sig-004").exists()
    assert "signals/sig-004/" not in search_locations(served.site)


def test_an_edited_user_page_rebuilds_the_whole_site(served: Server) -> None:
    before = stamps(served.site)
    about = served.work / "docs/about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\nEdited while serving.\n", encoding="utf-8")
    served.rebuild()
    after = stamps(served.site)
    assert "Edited while serving." in (served.site / "about/index.html").read_text(encoding="utf-8")
    assert after["index.html"] != before["index.html"]  # its title may be in every page's nav


def test_make_serve_shows_an_edit_and_a_broken_edit_then_recovers(root: Path, tmp_path: Path) -> None:
    """`make serve`'s own command, `properdocs serve --dirty`, on loopback."""
    from tests.test_live_serve import BIN, free_port, wait_for

    work = project_copy(root, tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    log = (work / "serve.log").open("w", encoding="utf-8")
    command = [str(BIN / "properdocs"), "serve", "-f", str(work / "mkdocs.yml"), "--dev-addr", f"127.0.0.1:{port}"]
    process = subprocess.Popen([*command, "--dirty"], cwd=work, env=QUIET, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(base + "signals/sig-003/", lambda text: "StepTrace" in text)
        edit(work, ROW, EDITED)
        wait_for(base + "signals/sig-003/", lambda text: "StepRecord" in text)
        rules = work / "registry/auditor_rules.yaml"
        good = rules.read_text(encoding="utf-8")
        rules.write_text("schema: [unclosed\n", encoding="utf-8")
        broken = wait_for(base + "signals/sig-003/", lambda text: "lf-broken" in text)
        assert "registry/auditor_rules.yaml:" in broken
        assert "StepRecord" in broken, "the last good page stays, under the banner"
        rules.write_text(good, encoding="utf-8")
        wait_for(base + "signals/sig-003/", lambda text: "StepRecord" in text and "lf-broken" not in text)
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
    output = (work / "serve.log").read_text(encoding="utf-8")
    assert "Traceback" not in output, output


def test_edits_one_after_another_leave_every_page_what_a_full_build_makes(served: Server) -> None:
    """Unchanged entity pages keep their files and pages from build to build (adapters/fingerprints.py
    KeptFiles): after a rebuild of a few pages, a full one (a user page edited) and rebuilds after it, the site
    is still what a full build makes."""
    about = served.work / "docs/about.md"
    edits = [
        lambda: edit(served.work, "| /runs/{id}/trace |", "| /runs/{id}/steps |"),
        lambda: about.write_text(about.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8"),
        lambda: edit(served.work, ROW, EDITED),
        lambda: edit(served.work, "| /runs/{id}/steps |", "| /runs/{id}/trace |"),
    ]
    for change in edits:
        change()
        served.rebuild()
        served_pages = pages(served.site)
        full_pages = pages(full_build(served.work))
        assert sorted(served_pages) == sorted(full_pages)
        assert [path for path in served_pages if served_pages[path] != full_pages[path]] == []
        assert sorted(search_locations(served.site)) == sorted(search_locations(served.work / "site"))
        # Entry by entry (title and text too), though a rebuild reads each page's unchanged pieces from the last.
        assert sorted(map(repr, search_entries(served.site))) == sorted(map(repr, search_entries(served.work / "site")))
