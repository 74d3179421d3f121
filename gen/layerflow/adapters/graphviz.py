"""DOT to SVG with few `dot` processes and a content-addressed cache.

`render_svgs` does not start one process per diagram: it writes the sources
it has not rendered before to a temporary directory and runs
`dot -Tsvg a.dot b.dot ...` over them, split into `jobs` processes (by default
one per CPU this process may use) run side by side. Each process writes its
SVGs one after another to its standard output, which is cut at the XML
prolog that starts each one (when the count is not exactly right, a URL
held a prolog: the chunk is rendered again one file at a time). Everything a
chunk needs before and after its process (writing its sources, reading,
normalising and caching its SVGs) runs in that chunk's thread, beside the
other processes; the sources go to a RAM-backed directory when there is one
with room (see `_scratch_parent`). Each SVG is cached as `<sha256>.svg`, keyed by the DOT text
and `dot -V`, so a rebuild renders only what changed (and a Graphviz upgrade
renders everything again).

Graphviz 2.43 (Debian 12's) is not clean about several graphs in one process:

* It leaks counters from one graph into the next: the second graph's root
  group is called `page0,1_graph0`, anonymous graphs are numbered on (`%5`,
  not `%3`), and gradient and HTML-label link ids keep counting (`l_7`,
  `a_node1_4`). `_normalize` undoes all of these.
* It breaks some ties in the layout by comparing heap addresses. In a fresh
  process those follow creation order, so a lone `dot` is deterministic; after
  other graphs they do not. Sibling clusters are ordered this way, so about a
  third of graphs with two or more clusters come out with another layout (and
  size) when batched, depending on their neighbours. `isolate="clustered"`
  (the default) renders every source with two or more `subgraph` keywords in a
  process of its own, so it gets the lone-`dot` layout. Rarer ties (parallel
  edges, self-loops) can still differ in a batch: about 0.3% of random test
  graphs did. `isolate="all"` renders everything alone: slower, and always the
  lone-`dot` layout. `isolate="none"` batches everything: fastest. Batches
  are contiguous runs of the sources in order, as many as `jobs`: two builds
  with the same sources, cache and CPU count give the same bytes; a machine
  with more CPUs cuts smaller batches, where such a rare tie may fall the
  other way (as it may between a cold and a partly warm cache).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

from layerflow.adapters.atomic import write_atomically
from layerflow.adapters.child_call import usable_cpus

Isolate = Literal["clustered", "all", "none"]

INSTALL_HINT = "install Graphviz: apt-get install graphviz"
MAX_FILES_PER_PROCESS = 1000  # names are ~10 characters: far below any OS's argument-list limit
CACHE_FORMAT = "layerflow-svg-2"  # part of every cache key: change it when _normalize changes

_PROLOG = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>'  # how Graphviz starts every SVG it writes
_SUBGRAPH = re.compile(r"\bsubgraph\b", re.IGNORECASE)
_ANONYMOUS = re.compile(r"<!-- Title: (%\d+) Pages: ")
_ANCHOR_ID = re.compile(r'(<g id="a_[^"]*_)(\d+)("><a )')
_PAGE_PREFIX = re.compile(r'(<g id=")page\d+,\d+_([^"]*" class="graph")')
_GRADIENT_DEF = re.compile(r'(<(?:linear|radial)Gradient id=")([lr])_(\d+)(")')
_GRADIENT_REF = re.compile(r'(="url\(#)([lr])_(\d+)(\)")')


class GraphvizMissing(RuntimeError):
    """`dot` cannot be run at all."""


class GraphvizError(RuntimeError):
    """`dot` rejected some sources. `failures` maps each failed key to what dot said."""

    def __init__(self, failures: Mapping[str, str]) -> None:
        self.failures = dict(failures)
        lines = [f"Graphviz could not render {len(self.failures)} diagram(s):"]
        lines += [f"  {key}: {message}" for key, message in self.failures.items()]
        super().__init__("\n".join(lines))


def dot_version(dot: str = "dot") -> str:
    """What `dot -V` says, e.g. "dot - graphviz version 2.43.0 (0)"."""
    done = _run([dot, "-V"], cwd=None)
    text = (done.stderr + done.stdout).decode("utf-8", "replace").strip()
    if done.returncode != 0 or not text:
        raise GraphvizMissing(f"`{dot} -V` failed (exit status {done.returncode}): {text}; {INSTALL_HINT}")
    return text


def default_jobs() -> int:
    """One `dot` process per CPU this process may run on."""
    return usable_cpus()


def render_svgs(
    sources: Mapping[str, str],
    cache_dir: str | None,
    jobs: int | None = None,
    dot: str = "dot",
    *,
    isolate: Isolate = "clustered",
) -> dict[str, str]:
    """Key -> SVG text for key -> DOT text, rendering only what `cache_dir` lacks.

    Keys may be any strings (they never become file names). Identical sources
    are rendered once. `jobs` is how many `dot` processes run at once (None:
    `default_jobs()`). `isolate` says which sources get a `dot` process of their
    own (see the module's docstring). Raises GraphvizMissing when dot cannot
    run, and GraphvizError naming every key dot rejected (the others are still
    cached).
    """
    if jobs is None:
        jobs = default_jobs()
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    if not sources:
        return {}
    if os.sep in dot or (os.altsep and os.altsep in dot):
        dot = os.path.abspath(dot)  # dot runs in a temporary directory
    version = dot_version(dot)
    digests = {key: _digest(version, text) for key, text in sources.items()}
    svgs = _cached(cache_dir, digests.values())  # digest -> SVG
    todo: dict[str, str] = {}  # digest -> the first key with that source
    for key, digest in digests.items():
        if digest not in svgs:
            todo.setdefault(digest, key)
    if todo:
        svgs.update(_render_missing(dot, sources, digests, todo, jobs, isolate, cache_dir))
    return {key: svgs[digest] for key, digest in digests.items()}


# ---------------------------------------------------------------- internals


def _cached(cache_dir: str | None, digests: Iterable[str]) -> dict[str, str]:
    """Digest -> SVG of the sources the cache already holds."""
    svgs: dict[str, str] = {}
    if cache_dir is None:
        return svgs
    os.makedirs(cache_dir, exist_ok=True)
    present = _cached_names(cache_dir)  # one listing instead of a failed open per new diagram
    for digest in dict.fromkeys(digests):
        cached = _read_cache(cache_dir, digest) if present is None or f"{digest}.svg" in present else None
        if cached is not None:
            svgs[digest] = cached
    return svgs


def _render_missing(
    dot: str,
    sources: Mapping[str, str],
    digests: Mapping[str, str],
    todo: Mapping[str, str],
    jobs: int,
    isolate: Isolate,
    cache_dir: str | None,
) -> dict[str, str]:
    """Digest -> SVG of the sources in `todo` (digest -> a key with that source), cached as each chunk ends;
    GraphvizError names every key whose source dot rejected."""
    keys = list(todo.values())
    order = list(todo)

    def finished(index: int, svg: str) -> None:  # called in the chunk's thread: caching overlaps rendering
        if cache_dir is not None:
            _write_cache(cache_dir, order[index], svg)

    rendered, failures = _render(dot, [sources[key] for key in keys], jobs, isolate, finished)
    svgs = {digest: rendered[index] for index, digest in enumerate(order) if index in rendered}
    if failures:  # every key with a failed source, dot's name for its temporary file replaced by the key
        failed = {digest: index for index, digest in enumerate(order) if index in failures}
        raise GraphvizError(
            {
                key: failures[failed[digest]].replace(_name(failed[digest]), key)
                for key, digest in digests.items()
                if digest in failed
            }
        )
    return svgs


def _digest(version: str, text: str) -> str:
    return hashlib.sha256("\0".join((CACHE_FORMAT, version, text)).encode("utf-8")).hexdigest()


def _name(index: int) -> str:
    return f"lf{index}.dot"


def _cached_names(cache_dir: str) -> frozenset[str] | None:
    """The names in the cache directory, or None when it cannot be listed (then every entry is tried)."""
    try:
        return frozenset(os.listdir(cache_dir))
    except OSError:
        return None


def _read_cache(cache_dir: str, digest: str) -> str | None:
    try:
        with open(os.path.join(cache_dir, f"{digest}.svg"), "rb") as handle:
            text = handle.read().decode("utf-8")
    except (FileNotFoundError, UnicodeDecodeError):
        return None
    return text if text.rstrip().endswith("</svg>") else None


def _write_cache(cache_dir: str, digest: str, svg: str) -> None:
    write_atomically(os.path.join(cache_dir, f"{digest}.svg"), svg)


def _run(argv: Sequence[str], cwd: str | None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(argv, cwd=cwd, capture_output=True, stdin=subprocess.DEVNULL, check=False)
    except OSError as exc:  # not found, not executable
        raise GraphvizMissing(f"cannot run Graphviz `{argv[0]}` ({exc.strerror or exc}); {INSTALL_HINT}") from exc


def _alone(text: str, isolate: Isolate) -> bool:
    """Whether `text` gets a process of its own: its layout may depend on what ran before it."""
    return isolate == "all" or (isolate == "clustered" and len(_SUBGRAPH.findall(text)) >= 2)


def _chunks(texts: Sequence[str], jobs: int, isolate: Isolate) -> list[list[int]]:
    """Indexes of `texts` per process: the batched ones in contiguous, balanced runs (at least `jobs`
    of them, none over MAX_FILES_PER_PROCESS), then each isolated one alone."""
    lone = [_alone(text, isolate) for text in texts]
    batched = [index for index, text in enumerate(texts) if not lone[index]]
    alone = [[index] for index in range(len(texts)) if lone[index]]
    parts = min(len(batched), max(jobs, -(-len(batched) // MAX_FILES_PER_PROCESS)))
    bounds = [len(batched) * part // parts for part in range(parts + 1)] if parts else []
    return [batched[bounds[part] : bounds[part + 1]] for part in range(parts)] + alone


def _render(
    dot: str, texts: Sequence[str], jobs: int, isolate: Isolate, finished: Callable[[int, str], None]
) -> tuple[dict[int, str], dict[int, str]]:
    """(index -> SVG, index -> dot's complaint) for the DOT texts, in a temporary directory.

    `finished(index, svg)` is called for each SVG as its chunk completes, in that chunk's thread."""
    scratch = _scratch_parent(sum(len(text) for text in texts))
    with tempfile.TemporaryDirectory(prefix="layerflow-dot-", dir=scratch) as work:
        chunks = _chunks(texts, jobs, isolate)
        rendered: dict[int, str] = {}
        failures: dict[int, str] = {}

        def run(chunk: list[int]) -> tuple[dict[int, str], dict[int, str]]:
            for index in chunk:
                with open(os.path.join(work, _name(index)), "wb") as handle:
                    handle.write(texts[index].encode("utf-8"))
            ok, failed = _render_chunk(dot, work, chunk)
            for index, svg in ok.items():
                finished(index, svg)
            for index in chunk:  # here, in parallel, rather than all at once when the directory goes
                os.unlink(os.path.join(work, _name(index)))
            return ok, failed

        with ThreadPoolExecutor(max_workers=min(jobs, len(chunks))) as pool:
            for ok, failed in pool.map(run, chunks):
                rendered.update(ok)
                failures.update(failed)
    return rendered, failures


RAM_DIR = "/dev/shm"  # a RAM-backed directory on Linux


def _scratch_parent(size: int) -> str | None:
    """Where the sources dot reads are written: a RAM-backed directory with room to spare when there is one
    and TMPDIR does not name a place, else the default temporary directory (None). Creating thousands of
    small files costs a fraction there of what it costs on a disk's file system (several times what dot
    itself takes, on a busy one)."""
    if os.environ.get("TMPDIR"):
        return None
    try:
        if not (os.path.isdir(RAM_DIR) and os.access(RAM_DIR, os.W_OK | os.X_OK)):
            return None
        free = os.statvfs(RAM_DIR)
    except OSError:
        return None
    room = free.f_bavail * free.f_frsize
    return RAM_DIR if room > 4 * size + (64 << 20) else None


def _render_chunk(dot: str, work: str, chunk: Sequence[int]) -> tuple[dict[int, str], dict[int, str]]:
    done = _run([dot, "-Tsvg", *(_name(index) for index in chunk)], cwd=work)
    if done.returncode == 0:
        svgs = _split(done.stdout.decode("utf-8", "replace"), len(chunk))
        if svgs is not None:
            return {index: _normalize(svg) for index, svg in zip(chunk, svgs, strict=True)}, {}
    # Something failed (or a prolog inside an SVG made the cut ambiguous): one file at a time names the culprit(s).
    rendered: dict[int, str] = {}
    failures: dict[int, str] = {}
    for index in chunk:
        done = _run([dot, "-Tsvg", _name(index)], cwd=work)
        output = done.stdout.decode("utf-8", "replace")
        if done.returncode == 0 and output.strip():
            rendered[index] = _normalize(output)
        else:
            message = done.stderr.decode("utf-8", "replace").strip()
            failures[index] = message or f"dot exited with status {done.returncode} and wrote no SVG"
    return rendered, failures


def _split(output: str, count: int) -> list[str] | None:
    """`count` SVGs written one after another, cut where each one's prolog starts; None unless that makes
    exactly `count` (every SVG starts with one, so a prolog elsewhere, in a URL, makes too many)."""
    if not output.startswith(_PROLOG) or output.count(_PROLOG) != count:
        return None
    return [_PROLOG + part for part in output.split(_PROLOG)[1:]]


def _normalize(svg: str) -> str:
    """Undo Graphviz's cross-graph state: the page prefix on the root group, the running number in an
    anonymous graph's name (%3, %5...: always %0 here), running gradient ids and HTML-label link ids."""
    svg = _PAGE_PREFIX.sub(r"\1\2", svg)
    anonymous = _ANONYMOUS.search(svg)
    if anonymous:  # its name is in this comment and in the first <title>, the root graph's
        name = anonymous.group(1)
        svg = svg.replace(anonymous.group(0), "<!-- Title: %0 Pages: ", 1)
        svg = svg.replace(f"<title>{name}</title>", "<title>%0</title>", 1)
    numbers: dict[tuple[str, str], int] = {}
    counts = {"l": 0, "r": 0}
    for _, kind, number, _ in _GRADIENT_DEF.findall(svg):
        if (kind, number) not in numbers:
            numbers[kind, number] = counts[kind]
            counts[kind] += 1

    def renumber(match: re.Match[str]) -> str:
        kind, number = match.group(2), match.group(3)
        new = numbers.get((kind, number))
        return match.group(0) if new is None else f"{match.group(1)}{kind}_{new}{match.group(4)}"

    svg = _GRADIENT_REF.sub(renumber, _GRADIENT_DEF.sub(renumber, svg))
    anchors: dict[str, int] = {}  # HTML-label links: a_node1_<n>, n counting across graphs
    return _ANCHOR_ID.sub(lambda m: f"{m.group(1)}{anchors.setdefault(m.group(2), len(anchors))}{m.group(3)}", svg)
