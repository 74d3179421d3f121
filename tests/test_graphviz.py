"""The batch renderer: few dot processes, a cache that makes rebuilds free, errors that name the diagram."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from layerflow.adapters import graphviz
from layerflow.adapters.graphviz import GraphvizError, GraphvizMissing, dot_version, render_svgs

SVG = "{http://www.w3.org/2000/svg}"
REAL_DOT = shutil.which("dot") or "/usr/bin/dot"


def _graph(i: int) -> str:
    return f'digraph g{i} {{ a{i} -> b{i}; b{i} -> c [label="{i}"] }}'


@pytest.fixture
def logged_dot(tmp_path: Path) -> tuple[str, Path]:
    """A `dot` that logs each invocation's arguments, one line per process, then runs the real one."""
    log = tmp_path / "dot.log"
    script = tmp_path / "dot-logged"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec "{REAL_DOT}" "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return str(script), log


def _renders(log: Path) -> list[list[str]]:
    """The .dot files each rendering process was given (`dot -V` calls are not renders)."""
    if not log.exists():
        return []
    lines = log.read_text(encoding="utf-8").splitlines()
    return [[arg for arg in line.split() if arg.endswith(".dot")] for line in lines if "-Tsvg" in line]


def _texts(svg: str) -> set[str]:
    return {t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")}


def test_dot_version_names_graphviz() -> None:
    assert "graphviz version" in dot_version(REAL_DOT)


def test_fifty_graphs_in_one_call_use_jobs_processes(tmp_path: Path, logged_dot: tuple[str, Path]) -> None:
    dot, log = logged_dot
    sources = {f"flows/{i}": _graph(i) for i in range(50)}
    svgs = render_svgs(sources, str(tmp_path / "cache"), jobs=2, dot=dot)
    assert list(svgs) == list(sources)
    for i, svg in enumerate(svgs.values()):
        root = ET.fromstring(svg)
        assert root.tag == f"{SVG}svg"
        assert {f"a{i}", f"b{i}", "c", str(i)} <= _texts(svg)
    runs = _renders(log)
    assert len(runs) == 2, runs
    assert sorted(len(run) for run in runs) == [25, 25]


def test_a_rebuild_renders_nothing_and_a_change_renders_only_itself(
    tmp_path: Path, logged_dot: tuple[str, Path]
) -> None:
    dot, log = logged_dot
    cache = str(tmp_path / "cache")
    sources = {f"flows/{i}": _graph(i) for i in range(50)}
    first = render_svgs(sources, cache, jobs=2, dot=dot)
    names = os.listdir(cache)
    assert len(names) == 50 and all(n.endswith(".svg") and not n.startswith(".") for n in names)  # no temp files
    log.unlink()

    assert render_svgs(sources, cache, jobs=2, dot=dot) == first
    assert _renders(log) == []

    changed = {**sources, "flows/7": _graph(7).replace("-> c", "-> changed")}
    again = render_svgs(changed, cache, jobs=2, dot=dot)
    assert len(_renders(log)) == 1 and len(_renders(log)[0]) == 1
    assert "changed" in _texts(again["flows/7"])
    assert {k: v for k, v in again.items() if k != "flows/7"} == {k: v for k, v in first.items() if k != "flows/7"}


def test_identical_sources_are_rendered_once(logged_dot: tuple[str, Path]) -> None:
    dot, log = logged_dot
    svgs = render_svgs({"one": _graph(1), "same": _graph(1), "two": _graph(2)}, None, jobs=4, dot=dot)
    assert svgs["one"] == svgs["same"]
    assert sum(len(run) for run in _renders(log)) == 2


def test_large_batches_are_chunked(monkeypatch: pytest.MonkeyPatch, logged_dot: tuple[str, Path]) -> None:
    monkeypatch.setattr(graphviz, "MAX_FILES_PER_PROCESS", 4)
    dot, log = logged_dot
    sources = {str(i): _graph(i) for i in range(10)}
    svgs = render_svgs(sources, None, jobs=2, dot=dot)
    assert all(str(i) in _texts(svgs[str(i)]) for i in range(10))
    runs = _renders(log)
    assert len(runs) == 3 and max(len(run) for run in runs) <= 4 and sum(len(run) for run in runs) == 10


def _clustered(seed: int) -> str:
    """A graph with sibling and nested clusters: the kind Graphviz 2.43 lays out by heap address."""
    rng = random.Random(seed)
    nodes = [f"n{j}" for j in range(rng.randint(6, 12))]
    parts = [f"digraph c{seed} {{"]
    for c in range(3):
        inner = f"subgraph cluster_{c}x {{ {rng.choice(nodes)} }}" if rng.random() < 0.5 else ""
        parts.append(f'subgraph cluster_{c} {{ label="c{c}"; {"; ".join(rng.sample(nodes, 2))}; {inner} }}')
    parts += [f"{rng.choice(nodes)} -> {rng.choice(nodes)};" for _ in range(rng.randint(4, 12))]
    return "\n".join([*parts, "}"])


def test_clustered_graphs_get_a_process_each_and_the_lone_dot_layout(logged_dot: tuple[str, Path]) -> None:
    dot, log = logged_dot
    clustered = {f"c{seed}": _clustered(seed) for seed in range(12)}
    plain = {f"p{i}": _graph(i) for i in range(10)}
    mixed = dict(sorted({**clustered, **plain}.items(), key=lambda item: random.Random(item[0]).random()))
    svgs = render_svgs(mixed, None, jobs=2, dot=dot)
    runs = _renders(log)
    assert sorted(len(run) for run in runs) == [1] * 12 + [5, 5]
    for key, text in clustered.items():
        alone = subprocess.run([REAL_DOT, "-Tsvg"], input=text, capture_output=True, text=True, check=True).stdout
        assert svgs[key] == alone, key
    assert render_svgs(mixed, None, jobs=2, dot=REAL_DOT, isolate="all") == svgs


def test_isolate_none_batches_everything(logged_dot: tuple[str, Path]) -> None:
    dot, log = logged_dot
    render_svgs({f"c{seed}": _clustered(seed) for seed in range(6)}, None, jobs=2, dot=dot, isolate="none")
    assert sorted(len(run) for run in _renders(log)) == [3, 3]


VARIED = {
    "gradient": 'digraph G { a [style=filled, fillcolor="red:blue"]; b [style=radial, fillcolor="white:red"]; a -> b }',
    "cluster": 'digraph { subgraph cluster_x { label="C"; style=filled; fillcolor="yellow:green"; x } x -> y }',
    "html": 'digraph { n [label=<<b>bold</b> &amp; <i>it</i>>]; n -> m [URL="page.html", tooltip="t"] }',
    "record": 'digraph { r [shape=record, label="{a|b}"]; r -> s [style=filled] }',
}


def test_batched_output_does_not_depend_on_the_batch() -> None:
    # Graphviz 2.43 leaks ids from one graph into the next in one process; the renderer undoes it.
    together = render_svgs(VARIED, None, jobs=1, dot=REAL_DOT)
    for key, text in VARIED.items():
        assert together[key] == render_svgs({key: text}, None, dot=REAL_DOT)[key], key
    # A named graph comes out exactly as a lone `dot -Tsvg` writes it (an anonymous one is called %0).
    alone = subprocess.run([REAL_DOT, "-Tsvg"], input=VARIED["gradient"], capture_output=True, text=True, check=True)
    assert together["gradient"] == alone.stdout
    assert "<title>%0</title>" in together["cluster"]


def test_a_broken_source_names_its_key_and_the_rest_are_still_cached(
    tmp_path: Path, logged_dot: tuple[str, Path]
) -> None:
    dot, log = logged_dot
    cache = str(tmp_path / "cache")
    good = {f"ok/{i}": _graph(i) for i in range(6)}
    with pytest.raises(GraphvizError) as caught:
        render_svgs(
            {**good, "flows/broken one": "digraph { a -> }", "again": "digraph { a -> }"}, cache, jobs=2, dot=dot
        )
    assert set(caught.value.failures) == {"flows/broken one", "again"}
    assert "again" in caught.value.failures["again"]
    message = str(caught.value)
    assert "flows/broken one" in message and "syntax error" in message
    assert ".dot" not in caught.value.failures["flows/broken one"]  # the temp file's name is replaced by the key
    log.unlink()
    assert set(render_svgs(good, cache, jobs=2, dot=dot)) == set(good)
    assert _renders(log) == []


def test_a_damaged_cache_entry_is_rendered_again(tmp_path: Path, logged_dot: tuple[str, Path]) -> None:
    dot, log = logged_dot
    cache = tmp_path / "cache"
    first = render_svgs({"a": _graph(1)}, str(cache), dot=dot)
    (entry,) = cache.iterdir()
    entry.write_text("<svg", encoding="utf-8")
    log.unlink()
    assert render_svgs({"a": _graph(1)}, str(cache), dot=dot) == first
    assert len(_renders(log)) == 1


def test_missing_dot_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(GraphvizMissing, match="apt-get install graphviz"):
        render_svgs({"a": _graph(1)}, None, dot=str(tmp_path / "no-such-dot"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GraphvizMissing, match="install Graphviz"):
        dot_version()


def test_a_relative_dot_path_still_works(logged_dot: tuple[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    dot, log = logged_dot
    monkeypatch.chdir(Path(dot).parent.parent)
    relative = os.path.join(Path(dot).parent.name, Path(dot).name)
    assert "a1" in _texts(render_svgs({"a": _graph(1)}, None, dot=relative)["a"])
    assert len(_renders(log)) == 1


def test_nothing_to_render_and_bad_jobs() -> None:
    assert render_svgs({}, None, dot="/no/such/dot") == {}
    with pytest.raises(ValueError, match="jobs"):
        render_svgs({"a": _graph(1)}, None, jobs=0)


def test_a_prolog_inside_an_svg_does_not_cut_it(logged_dot: tuple[str, Path]) -> None:
    # Each process writes its SVGs one after another; Graphviz leaves a URL unescaped, so a URL can hold
    # the XML prolog the output is cut at. The cut is then ambiguous and the chunk is rendered file by file.
    dot, log = logged_dot
    prolog = '<?xml version=\\"1.0\\" encoding=\\"UTF-8\\" standalone=\\"no\\"?>'
    sources = {"tricky": f'digraph t {{ a [URL="{prolog}"] }}', **{f"p{i}": _graph(i) for i in range(5)}}
    svgs = render_svgs(sources, None, jobs=1, dot=dot)
    for key, text in sources.items():
        assert svgs[key] == render_svgs({key: text}, None, dot=REAL_DOT)[key], key
    assert [len(run) for run in _renders(log)] == [6, 1, 1, 1, 1, 1, 1]


def test_jobs_default_to_the_cpus_this_process_may_use(
    monkeypatch: pytest.MonkeyPatch, logged_dot: tuple[str, Path]
) -> None:
    assert graphviz.default_jobs() >= 1
    monkeypatch.setattr(graphviz, "default_jobs", lambda: 3)
    dot, log = logged_dot
    render_svgs({f"flows/{i}": _graph(i) for i in range(9)}, None, dot=dot)
    assert sorted(len(run) for run in _renders(log)) == [3, 3, 3]


def test_the_cache_directory_gets_only_finished_svgs_and_no_sources(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    svgs = render_svgs({f"flows/{i}": _graph(i) for i in range(20)}, str(cache), jobs=3, dot=REAL_DOT)
    names = sorted(os.listdir(cache))
    assert len(names) == 20 and all(n.endswith(".svg") for n in names)
    assert sorted(svgs.values()) == sorted((cache / n).read_text(encoding="utf-8") for n in names)


def test_sources_go_to_a_ram_directory_with_room_else_the_temporary_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TMPDIR", raising=False)
    monkeypatch.setattr(graphviz, "RAM_DIR", str(tmp_path))
    assert graphviz._scratch_parent(1000) == str(tmp_path)
    assert graphviz._scratch_parent(1 << 62) is None  # no room for it
    monkeypatch.setattr(graphviz, "RAM_DIR", str(tmp_path / "absent"))
    assert graphviz._scratch_parent(1000) is None
    assert "a1" in _texts(render_svgs({"a": _graph(1)}, None, dot=REAL_DOT)["a"])
    monkeypatch.setattr(graphviz, "RAM_DIR", str(tmp_path))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    assert graphviz._scratch_parent(1000) is None  # the user's choice of a temporary directory wins
