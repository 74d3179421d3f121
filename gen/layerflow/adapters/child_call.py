"""One pure call made by a forked child process while this process goes on: a second core for a parse.

A load is CPU-bound Python, one core at a time; the machines layerflow runs on in CI have two or more. The
inventory's parse reads nothing the registry's does, and its result is small to send back (at 10k signals
the inventory takes 0.10 s to parse, 0.02 s to unpickle), so a child parses it while this process parses the
registry: 14% of a 10k analysis, 17% at 100k.

The call is the same function either way, and its result is the same value (pickled, it is equal, not
identical): a child that fails for any reason (the call raised, the result does not pickle, the child was
killed) sends nothing, and `result()` then makes the call here, so it raises or returns what a call without a
child would. A child is forked only where that is safe and pays:

* Linux (`fork` without `exec` is unsafe with macOS's system frameworks, and Windows has no fork);
* one thread in this process: a fork copies locks that other threads may hold (`serve` runs a web server);
* more than one CPU this process may run on;
* and where the caller says the call is worth it (a fork and a pickle cost about 5 ms).

`LAYERFLOW_NO_FORK=1` in the environment turns it off (for a profile of one process, or a sandbox that forbids
fork).
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Generic, TypeVar, cast

T = TypeVar("T")


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask where the OS has one), at least 1."""
    affinity = getattr(os, "sched_getaffinity", None)
    if affinity is not None:
        try:
            return max(1, len(affinity(0)))
        except OSError:
            pass
    return max(1, os.cpu_count() or 1)


def may_fork() -> bool:
    """True where a child for one call is safe and can run beside this process (see the module)."""
    return (
        sys.platform.startswith("linux")
        and hasattr(os, "fork")
        and os.environ.get("LAYERFLOW_NO_FORK", "") in ("", "0")
        and threading.active_count() == 1
        and usable_cpus() > 1
    )


class Call(Generic[T]):
    """A call begun (in a child) or deferred (made here when asked); `result()` gives its value once."""

    def __init__(self, call: Callable[[], T]) -> None:
        self._call = call
        self._pid: int | None = None
        self._read: int | None = None

    def begin_in_child(self) -> None:
        """Fork the child that makes the call (once; the caller has asked `may_fork()`)."""
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # no process to spare (a limit, memory): the call is made here when asked
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # the child: make the call, send the pickle, leave without running this process's exit code
            status = 1
            try:
                os.close(read)
                payload = pickle.dumps(self._call(), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as out:
                    out.write(payload)
                status = 0
            except BaseException:  # any failure: the parent makes the call itself
                pass
            finally:
                os._exit(status)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> T:
        """The call's value: the child's, or (without a child, or when it failed) the call made now."""
        if self._read is None:
            return self._call()
        with os.fdopen(self._read, "rb") as pipe:
            self._read = None
            payload = pipe.read()
        self._reaped()
        # Only a child that made the call sends anything, and a pickle cut short (the child killed while it
        # wrote) does not load: its STOP opcode is the last byte. So a payload that loads is the call's value.
        if payload:
            try:
                return cast(T, pickle.loads(payload))
            except Exception:  # a pickle that does not load back: made here instead
                pass
        return self._call()

    def close(self) -> None:
        """Let a child go whose result is not wanted (the caller raised): stopped, its pipe closed, reaped."""
        if self._read is not None:
            if self._pid is not None:
                with suppress(ProcessLookupError):  # already gone (reaped by the system)
                    os.kill(self._pid, signal.SIGKILL)
            os.close(self._read)
            self._read = None
        self._reaped()

    def _reaped(self) -> None:
        """The child waited for until it has exited (where SIGCHLD is ignored, the system reaped it)."""
        if self._pid is None:
            return
        pid, self._pid = self._pid, None
        with suppress(ChildProcessError):
            os.waitpid(pid, 0)


@contextmanager
def in_child(call: Callable[[], T], *, worth_it: bool = True) -> Iterator[Call[T]]:
    """`call` begun in a forked child where `may_fork()` and the caller thinks it `worth_it`, else deferred;
    the child is let go at the end of the block whether or not its result was asked for."""
    begun = Call(call)
    if worth_it and may_fork():
        begun.begin_in_child()
    try:
        yield begun
    finally:
        begun.close()
