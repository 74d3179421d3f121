"""adapters/kept_rows.py: a page's kept table rows come back only while the site's files are what they were."""

from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import File, Files, InclusionLevel

from layerflow.adapters.kept_rows import KeptRows
from layerflow.render.pagehtml import RowMemo


def files(tmp: Path, names: list[str], *, directory_urls: bool = True) -> Files:
    return Files(
        [File(n, src_dir=str(tmp), dest_dir=str(tmp / "site"), use_directory_urls=directory_urls) for n in names]
    )


def kept_after_one_build(tmp: Path) -> KeptRows:
    kept = KeptRows()
    kept.start()
    memo = kept.memo("signals/index.md", files(tmp, ["index.md", "signals/index.md"]), lambda: 0)
    assert memo.last == {}
    memo.this[(2, "| a | b |")] = ("<tr>…</tr>", frozenset())
    kept.keep("signals/index.md", memo)
    return kept


def test_the_same_files_give_the_rows_back(tmp_path: Path) -> None:
    kept = kept_after_one_build(tmp_path)
    kept.start()
    memo = kept.memo("signals/index.md", files(tmp_path, ["index.md", "signals/index.md"]), lambda: 0)
    assert list(memo.last) == [(2, "| a | b |")]
    assert kept.memo("index.md", files(tmp_path, ["index.md", "signals/index.md"]), lambda: 0).last == {}


def test_a_file_added_other_urls_or_an_excluded_page_drop_every_row(tmp_path: Path) -> None:
    for changed in (
        files(tmp_path, ["index.md", "signals/index.md", "signals/sig-1.md"]),
        files(tmp_path, ["index.md", "signals/index.md"], directory_urls=False),
    ):
        kept = kept_after_one_build(tmp_path)
        kept.start()
        assert kept.memo("signals/index.md", changed, lambda: 0).last == {}
    kept = kept_after_one_build(tmp_path)
    kept.start()
    excluded = files(tmp_path, ["index.md", "signals/index.md"])
    page = excluded.get_file_from_path("index.md")
    assert page is not None
    page.inclusion = InclusionLevel.EXCLUDED
    assert kept.memo("signals/index.md", excluded, lambda: 0).last == {}


def test_a_page_whose_render_kept_nothing_forgets_its_rows(tmp_path: Path) -> None:
    kept = kept_after_one_build(tmp_path)
    kept.start()
    same = files(tmp_path, ["index.md", "signals/index.md"])
    kept.keep("signals/index.md", RowMemo(last={}, impure=lambda: 0))
    assert kept.memo("signals/index.md", same, lambda: 0).last == {}
