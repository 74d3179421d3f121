"""systemd units read as the ops layer's job list: which service runs what, and when.

parse_unit() reads one .service or .timer file the way systemd does (sections,
repeated keys, backslash continuations, # and ; comments, "Key=" resetting a
list). pair_jobs() joins timers to the services they start and turns each
service into a Job. Cron files are read by cron.py; both are offered here.
"""

from __future__ import annotations

from collections.abc import Iterable

from layerflow.errors import Parsed, warning
from layerflow.evidence.commands import command_script
from layerflow.evidence.cron import parse_crontab
from layerflow.evidence.schedule import (
    RECURRING_SETTINGS,
    TIMER_SETTINGS,
    describe_calendar,
    short_span,
    timer_words,
    timespan_seconds,
)
from layerflow.model import Location, Problem
from layerflow.model.facts import Job, Schedule, UnitEntry, UnitFile

__all__ = ["describe_calendar", "pair_jobs", "parse_crontab", "parse_unit"]

_TRUE = frozenset({"1", "yes", "true", "on"})


def parse_unit(path: str, text: str) -> Parsed[UnitFile]:
    """A unit file's entries in order; odd lines are reported and skipped."""
    name = path.rsplit("/", 1)[-1]
    entries: list[UnitEntry] = []
    problems: list[Problem] = []
    section = ""
    for line, content in _logical_lines(text):
        if content.startswith("["):
            if content.endswith("]") and len(content) > 2:
                section = content[1:-1].strip()
            else:
                problems.append(warning(path, line, f"section header is not closed: {content!r}"))
            continue
        key, equals, value = content.partition("=")
        if not equals or not key.strip():
            problems.append(warning(path, line, f"expected Key=Value, found {content!r}"))
        elif not section:
            problems.append(warning(path, line, f"{key.strip()}= comes before any [Section]; ignored"))
        else:
            entries.append(UnitEntry(section, key.strip(), value.strip(), line))
    return Parsed(UnitFile(path, name, tuple(entries)), tuple(problems))


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, text) of each setting, continuation lines joined and comments dropped.

    As in systemd, a line ending in a backslash goes on in the next line, and
    comment lines inside a continued setting are skipped.
    """
    found: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith(("#", ";")) or (not stripped and not pending):
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1].strip())
            continue
        pending.append(stripped)
        found.append((start, " ".join(p for p in pending if p)))
        pending = []
    if pending:  # a continuation at the end of the file: keep what was written
        found.append((start, " ".join(p for p in pending if p)))
    return [(line, content) for line, content in found if content]


# ---------------------------------------------------------------- pairing


def pair_jobs(units: Iterable[UnitFile]) -> Parsed[tuple[Job, ...]]:
    """One Job per service, scheduled by the timers that start it; sorted by name.

    A timer starts the service named by its Unit=, or else the service with
    its own name. A service no timer starts is still a job (schedule None):
    long-running ops daemons are producers too. A timer whose service was not
    read is reported, and still listed so its schedule is not lost.
    """
    units = list(units)
    services = {u.name: u for u in units if u.kind == "service"}
    timers_for: dict[str, list[UnitFile]] = {}
    problems: list[Problem] = []
    for timer in (u for u in units if u.kind == "timer"):
        target = _timer_target(timer, services)
        if target not in services:
            line = timer.assignments("Timer", "Unit")[-1].line if timer.value("Timer", "Unit") else 0
            problems.append(
                warning(timer.path, line, f"{timer.name} starts {target}, which is not among the units read")
            )
        timers_for.setdefault(target, []).append(timer)
    jobs: list[Job] = []
    for name in sorted(set(services) | set(timers_for)):
        job = _job(name, services.get(name), timers_for.get(name, []))
        jobs.append(job.value)
        problems.extend(job.problems)
    return Parsed(tuple(jobs), tuple(problems))


def _timer_target(timer: UnitFile, services: dict[str, UnitFile]) -> str:
    target = timer.value("Timer", "Unit") or f"{timer.stem}.service"
    if target not in services and "@" in target:  # backup@db.service runs the template backup@.service
        template = target.split("@", 1)[0] + "@.service"
        return template if template in services else target
    return target


def _job(name: str, service: UnitFile | None, timers: list[UnitFile]) -> Parsed[Job]:
    problems: list[Problem] = []
    schedule = _schedule(timers, problems)
    persistent = any((t.value("Timer", "Persistent") or "").lower() in _TRUE for t in timers)
    timer_names = tuple(sorted(t.name for t in timers))
    stem = name.rsplit(".", 1)[0]
    if service is None:
        timer = timers[0]
        location = Location(timer.path, 0)
        return Parsed(Job(stem, name, "", "", schedule, (), persistent, location, timer_names), tuple(problems))
    starts = service.assignments("Service", "ExecStart")
    if not starts:
        problems.append(warning(service.path, 0, f"{service.name} has no ExecStart="))
    command = starts[0].value if starts else ""
    script, runs_module = command_script(command)
    after = tuple(word for value in service.values("Unit", "After") for word in value.split())
    job = Job(
        name=stem,
        unit=service.name,
        exec_start=command,
        script=script,
        schedule=schedule,
        after=after,
        persistent=persistent,
        location=Location(service.path, starts[0].line if starts else 0),
        timers=timer_names,
        description=service.value("Unit", "Description") or "",
        runs_module=runs_module,
    )
    return Parsed(job, tuple(problems))


def _schedule(timers: list[UnitFile], problems: list[Problem]) -> Schedule | None:
    """All the timers' triggers as one schedule: recurring ones first, one-off delays after.

    "OnBootSec=1min OnUnitActiveSec=30s" reads "every 30 seconds (first: 1 minute after boot)".
    """
    settings = sorted(
        ((timer, entry) for timer in timers for key in TIMER_SETTINGS for entry in timer.assignments("Timer", key)),
        key=lambda item: (item[0].name, item[1].line),
    )
    if timers and not settings:
        for timer in timers:
            problems.append(warning(timer.path, 0, f"{timer.name} has no OnCalendar= or On...Sec= trigger"))
        return None
    if not settings:
        return None
    recurring: list[str] = []
    delays: list[str] = []
    for timer, entry in settings:
        words = timer_words(entry.key, entry.value)
        if words is None:
            problems.append(warning(timer.path, entry.line, f"cannot read schedule {entry.key}={entry.value}"))
            words = f"{entry.key}={entry.value}"
        (recurring if entry.key in RECURRING_SETTINGS else delays).append(words)
    text = "; ".join(recurring)
    late = _lateness(timers, problems)
    if late:
        text = f"{text}, {late}" if text else late
    if delays:
        text = f"{text} (first: {', '.join(delays)})" if recurring else ", ".join([*delays, *([late] if late else [])])
    expression = " ".join(f"{entry.key}={entry.value}" for _, entry in settings)
    spread = " ".join(f"RandomizedDelaySec={t.value('Timer', 'RandomizedDelaySec')}" for t in timers if _delay_of(t))
    return Schedule(f"{expression} {spread}".strip(), text)


def _delay_of(timer: UnitFile) -> str:
    return timer.value("Timer", "RandomizedDelaySec") or ""


def _lateness(timers: list[UnitFile], problems: list[Problem]) -> str:
    """RandomizedDelaySec= in words: "up to 30 s late". systemd delays each run by a random time up to it."""
    spans: list[str] = []
    for timer in timers:
        value = _delay_of(timer)
        if not value:
            continue
        seconds = timespan_seconds(value)
        if seconds is None:
            if value.strip() not in {"0", "infinity"}:
                line = timer.assignments("Timer", "RandomizedDelaySec")[-1].line
                problems.append(warning(timer.path, line, f"cannot read RandomizedDelaySec={value}"))
            continue
        spans.append(short_span(seconds))
    spans = list(dict.fromkeys(spans))
    return f"up to {' or '.join(spans)} late" if spans else ""
