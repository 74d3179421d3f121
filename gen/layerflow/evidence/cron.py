"""Cron files read as a list of jobs.

    SHELL=/bin/bash
    CRON_TZ=UTC
    */15 * * * *  /opt/venv/bin/python /opt/app/scripts/ops/cost_snapshot_job.py --mode hourly
    @daily        root  /opt/app/scripts/ops/retry_r2_fallbacks.sh

Files in /etc/cron.d and /etc/crontab name a user before the command; a
user crontab does not. The path decides, or the caller does; a sixth field
of "root" is taken as a user anywhere, since no command is called root.
"""

from __future__ import annotations

import re

from layerflow.errors import Parsed, warning
from layerflow.evidence.commands import command_script, script_stem
from layerflow.evidence.schedule import parse_schedule
from layerflow.model import Location, Problem
from layerflow.model.facts import Job

_ENVIRONMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")


def parse_crontab(path: str, text: str, system: bool | None = None) -> Parsed[tuple[Job, ...]]:
    """One Job per schedule line; lines that are not cron lines are reported and skipped.

    system=None decides from the path whether lines carry a user column.
    """
    with_user = _is_system_crontab(path) if system is None else system
    file_name = path.rsplit("/", 1)[-1]
    environment: dict[str, str] = {}
    jobs: list[Job] = []
    problems: list[Problem] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        setting = _ENVIRONMENT.match(line)
        if setting:
            environment[setting.group(1)] = setting.group(2).strip().strip("\"'")
            continue
        split = _split_line(line)
        if split is None:
            problems.append(
                warning(path, number, f"not a cron line: expected five schedule fields and a command: {line!r}")
            )
            continue
        expression, command = split
        if with_user or command.split(None, 1)[0] == "root":
            _user, _, command = command.partition(" ")
            command = command.strip()
        if not command:
            problems.append(warning(path, number, f"cron line has a schedule but no command: {line!r}"))
            continue
        zone = environment.get("CRON_TZ") or environment.get("TZ", "")
        schedule = parse_schedule(path, number, expression, zone)
        if schedule.problems:
            problems.append(warning(path, number, f"not a cron line: cannot read schedule {expression!r}"))
            continue
        script, runs_module = command_script(command)
        name = script_stem(script, runs_module) if script else command.split()[0].rsplit("/", 1)[-1]
        location = Location(path, number)
        jobs.append(
            Job(
                name,
                f"{file_name}:{number}",
                command,
                script,
                schedule.value,
                (),
                False,
                location,
                runs_module=runs_module,
            )
        )
    return Parsed(tuple(jobs), tuple(problems))


def _split_line(line: str) -> tuple[str, str] | None:
    """(schedule, rest of the line) of a cron line, or None when it has too few fields."""
    if line.startswith("@"):
        parts = line.split(None, 1)
        return (parts[0], parts[1]) if len(parts) == 2 else None
    parts = line.split(None, 5)
    return (" ".join(parts[:5]), parts[5]) if len(parts) == 6 else None


def _is_system_crontab(path: str) -> bool:
    return "/cron.d/" in path or path.startswith("cron.d/") or path.endswith("/etc/crontab") or path == "etc/crontab"
