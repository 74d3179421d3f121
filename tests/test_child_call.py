"""adapters/child_call.py: a call made by a forked child gives what the call gives here, whatever goes wrong.

The mechanics are tested with `may_fork` forced true (the conditions have their own tests), so they run on a
one-CPU machine too; the child is Linux's `fork`, as on the machines CI runs on.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from pathlib import Path

import pytest

from layerflow.adapters import application, child_call
from layerflow.adapters.application import forget_parses, load_and_analyse
from layerflow.adapters.child_call import Call, in_child, may_fork

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from synth import write_project  # noqa: E402

# The tests that fork; the conditions and the call without a child are tested everywhere.
needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="a child is forked only where os.fork exists")


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(child_call, "may_fork", lambda: True)


@needs_fork
@pytest.mark.usefixtures("forking")
def test_the_value_is_the_childs() -> None:
    parent = os.getpid()
    with in_child(lambda: (os.getpid(), {"rows": [1, 2, 3]})) as begun:
        pid, value = begun.result()
    assert pid != parent  # made by the child
    assert value == {"rows": [1, 2, 3]}


@needs_fork
@pytest.mark.usefixtures("forking")
def test_a_call_that_fails_in_the_child_is_made_here() -> None:
    parent = os.getpid()

    def only_here() -> int:
        if os.getpid() != parent:
            raise RuntimeError("the child's failure")
        return os.getpid()

    with in_child(only_here) as begun:
        assert begun.result() == parent


@needs_fork
@pytest.mark.usefixtures("forking")
def test_a_call_that_raises_raises_here_as_it_would_without_a_child() -> None:
    def broken() -> int:
        raise ValueError("no inventory")

    with in_child(broken) as begun, pytest.raises(ValueError, match="no inventory"):
        begun.result()


@needs_fork
@pytest.mark.usefixtures("forking")
def test_a_result_that_does_not_pickle_is_made_here() -> None:
    made_here: list[int] = []  # the child's appends stay in the child

    def unpicklable() -> object:
        made_here.append(os.getpid())
        return lambda: "a lambda does not pickle"

    with in_child(unpicklable) as begun:
        value = begun.result()
    assert made_here == [os.getpid()]
    assert callable(value)


@needs_fork
@pytest.mark.usefixtures("forking")
def test_a_child_whose_result_is_not_asked_for_is_stopped_and_reaped() -> None:
    begun: Call[None]
    with in_child(lambda: time.sleep(60)) as begun:
        pid = begun._pid
        assert pid is not None
    with pytest.raises(ChildProcessError):  # not a zombie of ours: reaped
        os.waitpid(pid, os.WNOHANG)


@needs_fork
@pytest.mark.usefixtures("forking")
def test_a_fork_the_system_refuses_leaves_the_call_to_be_made_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused() -> int:
        raise BlockingIOError("fork: Resource temporarily unavailable")

    monkeypatch.setattr(child_call.os, "fork", refused)
    with in_child(os.getpid) as begun:
        assert begun.result() == os.getpid()


def test_without_a_child_the_call_is_made_when_asked_and_not_before() -> None:
    made: list[str] = []
    with in_child(lambda: made.append("made") or len(made), worth_it=False) as begun:
        assert made == []
        assert begun.result() == 1
    assert made == ["made"]


def test_no_child_beside_another_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(child_call, "usable_cpus", lambda: 2)
    monkeypatch.delenv("LAYERFLOW_NO_FORK", raising=False)
    assert may_fork() is sys.platform.startswith("linux")
    stop = threading.Event()
    server = threading.Thread(target=stop.wait)  # as `serve`'s web server runs beside the rebuild
    server.start()
    try:
        assert may_fork() is False
    finally:
        stop.set()
        server.join()


def test_no_child_on_one_cpu_or_when_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(child_call, "usable_cpus", lambda: 1)
    assert may_fork() is False
    monkeypatch.setattr(child_call, "usable_cpus", lambda: 2)
    monkeypatch.setenv("LAYERFLOW_NO_FORK", "1")
    assert may_fork() is False


@needs_fork
def test_an_inventory_parsed_by_a_child_gives_the_analysis_a_load_here_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A synthetic project (producers of every output class, change records) loaded with its inventory parsed
    by a child and without one: equal analyses, equal problems; and the child was forked."""
    project = write_project(tmp_path / "project", signals=400, producers=40)
    sources = application.Sources(base=str(project / "registry"))
    monkeypatch.setenv("LAYERFLOW_NO_FORK", "1")
    forget_parses()
    here = load_and_analyse(sources)
    forks: list[int] = []
    begin = Call.begin_in_child

    def counted(self: Call[object]) -> None:
        forks.append(1)
        begin(self)

    monkeypatch.setattr(Call, "begin_in_child", counted)
    monkeypatch.setattr(child_call, "may_fork", lambda: True)
    monkeypatch.setattr(application, "INVENTORY_IN_CHILD_FROM", 0)
    forget_parses()
    by_child = load_and_analyse(sources)
    assert forks == [1]
    assert by_child[0] is not None
    assert by_child == here


@needs_fork
def test_an_inventory_the_last_load_parsed_is_not_forked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve` loads again after each edit: an unchanged inventory comes from the parse memo, with no child."""
    project = tmp_path / "registry"
    shutil.copytree(ROOT / "registry", project)
    monkeypatch.setattr(child_call, "may_fork", lambda: True)
    monkeypatch.setattr(application, "INVENTORY_IN_CHILD_FROM", 0)
    forks: list[int] = []
    begin = Call.begin_in_child
    monkeypatch.setattr(Call, "begin_in_child", lambda self: (forks.append(1), begin(self))[0])
    forget_parses()
    sources = application.Sources(base=str(project))
    first = load_and_analyse(sources, again=True)
    second = load_and_analyse(sources, again=True)
    assert forks == [1]
    assert first == second
