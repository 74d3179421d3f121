"""The peer bench: the same synthetic data built with sphinx-needs, for `bench/run.py --peers`.

sphinx-needs documents 565–729 s for 10k needs; this builds what layerflow
builds from the same registry, the way a sphinx-needs user would write it: every
signal a need (pages by domain, as the registry groups them), and a page per
producer with a need for it, a need per output linking to the output's signals,
and a `needflow` of the page drawn by Graphviz (the engine layerflow uses too).
sphinx-needs and Sphinx live in their own venv under bench/ (made on first use,
pinned by peers-constraints.txt), so the project's own venv never sees them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from layerflow.model import Analysis, Consumer

HERE = Path(__file__).resolve().parent
VENV = HERE / ".peers-venv"
CONSTRAINTS = HERE / "peers-constraints.txt"

_CONF = """\
project = "signal registry (sphinx-needs peer of layerflow)"
extensions = ["sphinx_needs", "sphinx.ext.graphviz"]
needs_flow_engine = "graphviz"
needs_id_regex = r"^[A-Z0-9_]{3,}"
needs_types = [
    {"directive": "producer", "title": "Producer", "prefix": "P_", "color": "#BFD8D2", "style": "node"},
    {"directive": "output", "title": "Output", "prefix": "O_", "color": "#FEDCD2", "style": "node"},
    {"directive": "signal", "title": "Signal", "prefix": "S_", "color": "#DF744A", "style": "node"},
]
needs_extra_options = ["layer", "persistence", "consumers", "klass"]
graphviz_output_format = "svg"
html_theme = "alabaster"
"""


def ensure_venv() -> Path:
    """The peers' own interpreter, installed once from PyPI with the pinned versions."""
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "-r", str(CONSTRAINTS)],
            check=True,
        )
    return python


def need_id(prefix: str, text: str) -> str:
    return prefix + re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_")


def _text(value: str) -> str:
    """One line of need content or option: no newlines, no leading markup."""
    return " ".join(value.split()).replace("|", "/") or "-"


def _consumer(consumer: Consumer) -> str:
    return f"{consumer.name} ({consumer.shown_layer})" if consumer.shown_layer else consumer.name


def _signal_need(signal_uid: str, name: str, layer: str, persistence: str, consumers: str) -> list[str]:
    return [
        f".. signal:: {_text(name)}",
        f"   :id: {need_id('S_', signal_uid)}",
        f"   :layer: {_text(layer)}",
        f"   :persistence: {_text(persistence)}",
        f"   :consumers: {_text(consumers)}",
        "",
        f"   {_text(signal_uid)}",
        "",
    ]


def write_sphinx_project(analysis: Analysis, dest: Path) -> dict[str, int]:
    """The Sphinx sources under dest; returns how many needs and pages they hold."""
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "signals").mkdir(parents=True)
    (dest / "producers").mkdir()
    (dest / "conf.py").write_text(_CONF, encoding="utf-8")
    by_domain: dict[str, list[str]] = defaultdict(list)
    for signal in analysis.inputs.registry.signals:
        consumers = ", ".join(_consumer(c) for c in signal.consumers)
        persistence = signal.get("persistence") or "-"
        by_domain[signal.domain].extend(
            _signal_need(signal.uid, signal.name or signal.uid, signal.p_layer or "-", persistence, consumers)
        )
    domain_pages = []
    for index, (domain, lines) in enumerate(sorted(by_domain.items())):
        name = f"signals/domain-{index:04d}"
        title = _text(domain) or f"Domain {index}"
        (dest / f"{name}.rst").write_text("\n".join([title, "=" * len(title), "", *lines]), encoding="utf-8")
        domain_pages.append(name)
    known = {need_id("S_", s.uid) for s in analysis.inputs.registry.signals}
    producer_pages = []
    outputs = 0
    for index, producer in enumerate(analysis.producer_ids()):
        flows = analysis.flows_of(producer)
        title = _text(flows[0].producer if flows else producer)
        pid = need_id("P_", producer)
        lines = [title, "=" * len(title), "", f".. producer:: {title}", f"   :id: {pid}", ""]
        for number, flow in enumerate(flows):
            links = [need_id("S_", uid) for uid in flow.signals if need_id("S_", uid) in known]
            lines += [
                f".. output:: {_text(flow.output)}",
                f"   :id: {pid}_O{number}",
                f"   :links: {', '.join([pid, *links])}",
                f"   :klass: {flow.klass}",
                f"   :persistence: {_text(flow.persistence.text if flow.persistence else '-')}",
                f"   :consumers: {_text(', '.join(_consumer(c) for c in flow.consumers))}",
                "",
                f"   {_text(flow.kind)} output, {flow.status}.",
                "",
            ]
            outputs += 1
        name = f"producers/p-{index:04d}"
        lines += [".. needflow::", f'   :filter: docname == "{name}"', ""]
        (dest / f"{name}.rst").write_text("\n".join(lines), encoding="utf-8")
        producer_pages.append(name)
    toc = ["Signal registry", "===============", "", ".. toctree::", "   :maxdepth: 1", ""]
    toc += [f"   {page}" for page in producer_pages + domain_pages]
    (dest / "index.rst").write_text("\n".join(toc) + "\n", encoding="utf-8")
    needs = len(known) + len(producer_pages) + outputs
    return {"needs": needs, "pages": len(producer_pages) + len(domain_pages) + 1}


def sphinx_build(python: Path, source: Path) -> float:
    """Seconds of one `sphinx-build -b html` from scratch, as a fresh process."""
    out = source.parent / (source.name + "-html")
    shutil.rmtree(out, ignore_errors=True)
    command = [str(python), "-m", "sphinx", "-b", "html", "-q", "-E", str(source), str(out)]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"sphinx-needs build failed in {source}:\n{result.stderr[-3000:]}")
    return seconds
