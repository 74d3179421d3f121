"""Which script a command line runs: the part of ExecStart= or a cron line a reviewer looks at.

/opt/venv/bin/python /opt/app/scripts/ops/m10_orchestrator.py --once  -> the .py path
/opt/venv/bin/python -m app.jobs.graduation_evaluator                -> the module
/bin/bash -c 'cd /opt/app && ./scripts/ops/retry_r2_fallbacks.sh'    -> the .sh path
/usr/local/bin/backup-tool --now                                     -> the program
"""

from __future__ import annotations

import re
import shlex

SCRIPT_SUFFIXES = (".py", ".sh", ".bash", ".pl", ".rb", ".js", ".ts")
_PYTHON = re.compile(r"^python[\d.]*$")
_SHELLS = frozenset({"sh", "bash", "dash", "zsh"})
# Programs that run another program: the script is further along the line.
_LAUNCHERS = frozenset(
    {"env", "flock", "nice", "ionice", "timeout", "sudo", "runuser", "setsid", "chronic", "nohup", "time", "stdbuf",
     "systemd-cat", "cd", "exec", "uv", "poetry", "pipenv", "node", "ruby", "perl"}
)  # fmt: skip
_SYSTEMD_PREFIX = re.compile(r"^[-@+!:|]+")  # ExecStart=-/bin/x: "-" ignores failure, "@" sets argv[0]...


def command_script(command: str) -> tuple[str, bool]:
    """(the script or module a command runs, True when it is a "python -m" module); ("", False) if none."""
    return _script_in(_split(_SYSTEMD_PREFIX.sub("", command.strip())), depth=0)


def script_stem(script: str, runs_module: bool) -> str:
    """A short name for a job from what it runs: m10_orchestrator, graduation_evaluator."""
    if runs_module:
        return script.rsplit(".", 1)[-1]
    base = script.rsplit("/", 1)[-1]
    for suffix in SCRIPT_SUFFIXES:
        if base.endswith(suffix):
            return base[: -len(suffix)]
    return base


def _split(command: str) -> list[str]:
    try:
        return shlex.split(command)
    except ValueError:  # an unbalanced quote: split on spaces rather than give up
        return [token.strip("'\"") for token in command.split()]


def _script_in(tokens: list[str], depth: int) -> tuple[str, bool]:
    seen_python = False
    for index, token in enumerate(tokens):
        base = token.rsplit("/", 1)[-1]
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if token == "-c" and following and depth < 3 and index and _is_shell(tokens[index - 1]):
            return _script_in(_split(following), depth + 1)
        if token == "-m" and seen_python and following:
            return following, True
        if token.endswith(SCRIPT_SUFFIXES) and not token.startswith("-") and not any(c.isspace() for c in token):
            return token, False
        seen_python = seen_python or bool(_PYTHON.match(base))
    if tokens:
        program = tokens[0].rsplit("/", 1)[-1]
        if not (_PYTHON.match(program) or program in _SHELLS or program in _LAUNCHERS or "=" in tokens[0]):
            return tokens[0], False
    return "", False


def _is_shell(token: str) -> bool:
    return token.rsplit("/", 1)[-1] in _SHELLS
