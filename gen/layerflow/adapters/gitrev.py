"""A git revision of the repository as a directory: `git archive REV`, unpacked into a temporary folder.

The only module that runs git. `layerflow diff BASE HEAD` and `check
--new-since REV` read the inputs of a revision from it exactly as they read
the working tree, so paths (and so fingerprints) are the same on both sides.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager


class RevisionError(Exception):
    """REV is no commit of the repository around the working directory (or git is not there)."""


def _git(*args: str, cwd: str = ".") -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError as exc:
        raise RevisionError(f"cannot run git: {exc.strerror or exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RevisionError(message[-1] if message else f"git {' '.join(args)} failed")
    return done.stdout


def is_revision(rev: str) -> bool:
    try:
        _git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except RevisionError:
        return False
    return True


@contextmanager
def revision_tree(rev: str) -> Iterator[str]:
    """The directory that stands, in REV, where the working directory stands in the working tree."""
    if rev.startswith("-"):
        raise RevisionError(f"{rev!r} is not a revision")
    commit = _git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").decode().strip()
    if not commit:
        raise RevisionError(f"{rev!r} is no commit of this repository")
    prefix = _git("rev-parse", "--show-prefix").decode().strip()
    archive = _git("archive", "--format=tar", commit)
    with tempfile.TemporaryDirectory(prefix="layerflow-rev-") as folder:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")  # no links out, no absolute paths
        here = os.path.join(folder, prefix)
        os.makedirs(here, exist_ok=True)  # the folder may be younger than REV: then REV has nothing here
        yield here
