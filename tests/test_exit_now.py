"""The CLI's exit skips the interpreter's teardown only when nothing is lost by it: the output is flushed and
exit handlers, when any are registered, still run."""

from __future__ import annotations

import os
import subprocess
import sys


def _run(body: str) -> subprocess.CompletedProcess[str]:
    code = "import sys\nfrom layerflow.adapters.cli import exit_now\n" + body
    # Buffered as a pipe is by default (this environment may set PYTHONUNBUFFERED), so a missing flush would show.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, env=env)


def test_buffered_output_is_written_and_the_code_kept() -> None:
    done = _run("sys.stdout.write('{\"findings\": []}')\nsys.stderr.write('a note')\nexit_now(2)\n")
    assert (done.returncode, done.stdout, done.stderr) == (2, '{"findings": []}', "a note")


def test_registered_exit_handlers_still_run() -> None:
    done = _run("import atexit\natexit.register(lambda: print('handler ran'))\nprint('out')\nexit_now(1)\n")
    assert (done.returncode, done.stdout) == (1, "out\nhandler ran\n")


def test_without_the_private_probe_the_ordinary_exit_runs() -> None:
    # A Python without atexit._ncallbacks: the handler must still run, so the ordinary exit is taken.
    done = _run("import atexit\ndel atexit._ncallbacks\natexit.register(lambda: print('handler ran'))\nexit_now(3)\n")
    assert (done.returncode, done.stdout) == (3, "handler ran\n")
