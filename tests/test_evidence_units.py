"""systemd units, cron lines and schedules in words: the ops layer's job list."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layerflow.evidence.commands import command_script
from layerflow.evidence.schedule import parse_schedule
from layerflow.evidence.units import describe_calendar, pair_jobs, parse_crontab, parse_unit
from layerflow.model import Level
from layerflow.model.facts import Job, UnitFile

ROOT = Path(__file__).parent.parent
SYSTEMD = ROOT / "registry" / "example" / "scripts" / "ops" / "systemd"
FIXTURES = Path(__file__).parent / "fixtures" / "evidence"


def read_units(directory: Path) -> list[UnitFile]:
    units = []
    for path in sorted(directory.iterdir()):
        result = parse_unit(path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"))
        assert result.problems == (), result.problems
        units.append(result.value)
    return units


def unit(text: str, path: str = "x.service") -> UnitFile:
    result = parse_unit(path, text)
    assert result.problems == ()
    return result.value


# --------------------------------------------------------- example systemd


@pytest.fixture(scope="module")
def example_jobs() -> dict[str, Job]:
    result = pair_jobs(read_units(SYSTEMD))
    assert result.problems == ()
    return {job.name: job for job in result.value}


# name -> (script file, schedule in words, After=, Persistent=)
EXPECTED_JOBS = {
    "cost-snapshot-daily": ("cost_snapshot_job.py", "daily at 00:30 UTC", ("postgresql.service",), True),
    "cost-snapshot-hourly": ("cost_snapshot_job.py", "hourly at :05", ("postgresql.service",), False),
    "costsim-canary": ("canary_runner.py", "daily at 00:00 UTC, up to 15 min late", ("postgresql.service",), True),
    "failure-aggregation": (
        "failure_aggregation.py",
        "daily at 02:00 UTC",
        ("network-online.target", "postgresql.service"),
        True,
    ),
    "graduation-evaluator": ("app.jobs.graduation_evaluator", "every 15 minutes", ("postgresql.service",), False),
    "m10-daily-stats": ("m10_daily_stats_export.py", "daily at 00:05 UTC", ("postgresql.service",), True),
    "m10-maintenance": ("m10_orchestrator.py", "every 5 minutes", ("postgresql.service", "redis.service"), False),
    "m10-metrics-collector": (
        "m10_metrics_collector.py",
        "every 30 seconds (first: 1 minute after boot)",
        ("postgresql.service", "redis.service"),
        False,
    ),
    "m10-synthetic-traffic": (
        "m10_synthetic_traffic.py",
        "every 30 minutes",
        ("postgresql.service", "redis.service"),
        False,
    ),
    "r2-fallback-retry": (
        "retry_r2_fallbacks.sh",
        "every 10 minutes (first: 5 minutes after boot)",
        ("network-online.target",),
        False,
    ),
}


def test_every_example_service_is_paired_with_its_timer(example_jobs: dict[str, Job]) -> None:
    assert sorted(example_jobs) == sorted(EXPECTED_JOBS)
    for name, job in example_jobs.items():
        assert job.unit == f"{name}.service"
        assert job.timers == (f"{name}.timer",)


@pytest.mark.parametrize("name", sorted(EXPECTED_JOBS))
def test_example_job(example_jobs: dict[str, Job], name: str) -> None:
    script, words, after, persistent = EXPECTED_JOBS[name]
    job = example_jobs[name]
    assert job.script.rsplit("/", 1)[-1] == script
    assert job.schedule is not None and job.schedule.words == words
    assert (job.after, job.persistent) == (after, persistent)
    assert job.location.path == f"registry/example/scripts/ops/systemd/{name}.service"


def test_graduation_evaluator_runs_a_module(example_jobs: dict[str, Job]) -> None:
    job = example_jobs["graduation-evaluator"]
    assert job.runs_module and job.script == "app.jobs.graduation_evaluator"
    assert job.schedule is not None and job.schedule.expression == "OnCalendar=*:0/15"


def test_continued_exec_start_is_joined(example_jobs: dict[str, Job]) -> None:
    job = example_jobs["m10-maintenance"]
    assert job.exec_start == "/opt/agenticverz/.venv/bin/python /opt/agenticverz/scripts/ops/m10_orchestrator.py"
    assert job.location.line == 15  # the first line of the continued ExecStart=
    assert job.description == "M10 maintenance orchestrator"


def test_example_jobs_golden(example_jobs: dict[str, Job], golden: Callable[[str, object], None]) -> None:
    golden(
        "evidence/example_jobs.json",
        {
            name: {
                "unit": job.unit,
                "timers": list(job.timers),
                "exec_start": job.exec_start,
                "script": job.script,
                "runs_module": job.runs_module,
                "schedule": None if job.schedule is None else [job.schedule.expression, job.schedule.words],
                "after": list(job.after),
                "persistent": job.persistent,
                "location": str(job.location),
            }
            for name, job in example_jobs.items()
        },
    )


# ------------------------------------------------------------ unit parsing


def test_unit_syntax_sections_comments_continuations_and_resets() -> None:
    parsed = unit(
        "# comment\n"
        "; another comment\n"
        "[Unit]\n"
        "Description = Spaced  \n"
        "After=a.service\n"
        "After=b.service c.service\n"
        "\n"
        "[Service]\n"
        "ExecStart=/usr/bin/first\n"
        "ExecStart=\n"
        "ExecStart=/usr/bin/python \\\n"
        "# a comment inside a continuation is skipped\n"
        "    /srv/job.py \\\n"
        "    --flag\n"
        "Environment=A=1\n"
    )
    assert parsed.value("Unit", "Description") == "Spaced"
    assert parsed.values("Unit", "After") == ("a.service", "b.service c.service")
    assert parsed.values("Service", "ExecStart") == ("/usr/bin/python /srv/job.py --flag",)
    assert parsed.assignments("Service", "ExecStart")[0].line == 11
    assert parsed.value("Service", "Environment") == "A=1"  # only the first = splits
    assert parsed.value("Service", "Missing") is None
    assert (parsed.kind, parsed.stem) == ("service", "x")


def test_bad_unit_lines_are_located_and_skipped() -> None:
    result = parse_unit(
        "units/bad.service",
        "Orphan=before any section\n[Unit\n[Service]\njust words\n=no key\nExecStart=/bin/true\n",
    )
    assert [(p.location.line, p.level) for p in result.problems] == [
        (1, Level.WARNING),
        (2, Level.WARNING),
        (4, Level.WARNING),
        (5, Level.WARNING),
    ]
    assert "before any [Section]" in result.problems[0].message
    assert "not closed" in result.problems[1].message
    assert result.value.values("Service", "ExecStart") == ("/bin/true",)


def test_a_timer_for_a_service_that_was_not_read_is_reported_and_kept() -> None:
    timer = unit("[Timer]\nOnCalendar=hourly\nUnit=elsewhere.service\n", "ops/lonely.timer")
    result = pair_jobs([timer])
    (job,) = result.value
    assert (job.name, job.unit, job.exec_start, job.timers) == ("elsewhere", "elsewhere.service", "", ("lonely.timer",))
    assert job.schedule is not None and job.schedule.words == "hourly at :00"
    (problem,) = result.problems
    assert (str(problem.location), problem.level) == ("ops/lonely.timer:3", Level.WARNING)


def test_a_service_without_a_timer_is_an_unscheduled_job() -> None:
    service = unit("[Service]\nExecStart=/opt/app/outbox_processor.py --forever\n", "outbox.service")
    (job,) = pair_jobs([service]).value
    assert job.schedule is None and job.script == "/opt/app/outbox_processor.py" and job.timers == ()


def test_template_instances_and_several_timers_share_one_service() -> None:
    service = unit("[Service]\nExecStart=/opt/backup.sh %i\n", "backup@.service")
    nightly = unit("[Timer]\nOnCalendar=*-*-* 03:00:00\nUnit=backup@db.service\n", "backup-db.timer")
    weekly = unit(
        "[Timer]\nOnCalendar=Sun *-*-* 04:00\nPersistent=yes\nUnit=backup@files.service\n", "backup-files.timer"
    )
    (job,) = pair_jobs([service, nightly, weekly]).value
    assert job.timers == ("backup-db.timer", "backup-files.timer")
    assert job.schedule is not None
    assert job.schedule.words == "daily at 03:00 UTC; weekly on Sunday at 04:00 UTC"
    assert job.persistent


def test_unreadable_timer_settings_are_located_warnings() -> None:
    service = unit("[Service]\nExecStart=/bin/x.sh\n", "x.service")
    timer = unit("[Timer]\nOnCalendar=every tuesday-ish\nOnUnitActiveSec=soon\n", "x.timer")
    result = pair_jobs([service, timer])
    assert [str(p.location) for p in result.problems] == ["x.timer:2", "x.timer:3"]
    (job,) = result.value
    assert job.schedule is not None
    assert job.schedule.words == "OnCalendar=every tuesday-ish; OnUnitActiveSec=soon"


def test_timer_without_trigger_and_service_without_exec_start_are_reported() -> None:
    service = unit("[Service]\nType=oneshot\n", "empty.service")
    timer = unit("[Timer]\nPersistent=true\n", "empty.timer")
    result = pair_jobs([service, timer])
    messages = sorted(p.message for p in result.problems)
    assert messages == ["empty.service has no ExecStart=", "empty.timer has no OnCalendar= or On...Sec= trigger"]
    (job,) = result.value
    assert job.schedule is None and job.persistent


# --------------------------------------------------------- schedule words

SCHEDULES = [
    ("*:0/5", "every 5 minutes"),
    ("*:0/15", "every 15 minutes"),
    ("*:00/30", "every 30 minutes"),
    ("*:5/15", "every 15 minutes from :05"),
    ("*-*-* *:05:00", "hourly at :05"),
    ("*-*-* *:00,30:00", "hourly at :00, :30"),
    ("*-*-* 00:05:00", "daily at 00:05 UTC"),
    ("*-*-* 02:00:00 UTC", "daily at 02:00 UTC"),
    ("*-*-* 00,12:05:00", "daily at 00:05, 12:05 UTC"),
    ("*-*-* 06:30:15", "daily at 06:30:15 UTC"),
    ("*-*-* 0/6:00:00", "every 6 hours at :00"),
    ("*:*:0/30", "every 30 seconds"),
    ("*:*", "every minute"),
    ("minutely", "every minute"),
    ("hourly", "hourly at :00"),
    ("daily", "daily at 00:00 UTC"),
    ("weekly", "weekly on Monday at 00:00 UTC"),
    ("monthly", "monthly on day 1 at 00:00 UTC"),
    ("yearly", "yearly on Jan 1 at 00:00 UTC"),
    ("Mon *-*-* 03:00", "weekly on Monday at 03:00 UTC"),
    ("Mon..Fri 09:00", "Mon–Fri at 09:00 UTC"),
    ("Sat,Sun *-*-* 10:00 Europe/Berlin", "Sat, Sun at 10:00 Europe/Berlin"),
    ("OnCalendar=*:0/15", "every 15 minutes"),
    ("OnUnitActiveSec=30s", "every 30 seconds"),
    ("OnUnitActiveSec=1h", "every hour"),
    ("OnUnitInactiveSec=10min", "10 minutes after each run finishes"),
    ("OnBootSec=2min", "2 minutes after boot"),
    ("OnStartupSec=90", "90 seconds after systemd starts"),
    ("15min", "every 15 minutes"),
    ("1h 30min", "every 90 minutes"),
    ("2d", "every 2 days"),
    ("*/15 * * * *", "every 15 minutes"),
    ("* * * * *", "every minute"),
    ("*/1 * * * *", "every minute"),
    ("5 0 * * *", "daily at 00:05 UTC"),
    ("30 0 * * *", "daily at 00:30 UTC"),
    ("5 * * * *", "hourly at :05"),
    ("0 */2 * * *", "every 2 hours at :00"),
    ("0,30 * * * *", "hourly at :00, :30"),
    ("0 9 * * 1-5", "Mon–Fri at 09:00 UTC"),
    ("0 3 * * 0", "weekly on Sunday at 03:00 UTC"),
    ("0 3 * * sun", "weekly on Sunday at 03:00 UTC"),
    ("0 3 * * 7", "weekly on Sunday at 03:00 UTC"),
    ("0 0 1 * *", "monthly on day 1 at 00:00 UTC"),
    ("0 0 1 jan *", "yearly on Jan 1 at 00:00 UTC"),
    ("@hourly", "hourly at :00"),
    ("@daily", "daily at 00:00 UTC"),
    ("@weekly", "weekly on Sunday at 00:00 UTC"),
    ("@reboot", "at boot"),
]


@pytest.mark.parametrize(
    ("timer", "words"),
    [
        ("OnCalendar=*:0/5\nRandomizedDelaySec=30", "every 5 minutes, up to 30 s late"),
        ("OnCalendar=daily\nRandomizedDelaySec=15min", "daily at 00:00 UTC, up to 15 min late"),
        ("OnCalendar=hourly\nRandomizedDelaySec=1h", "hourly at :00, up to 1 h late"),
        ("OnCalendar=*:0/5\nRandomizedDelaySec=1.5", "every 5 minutes, up to 1.5 s late"),
        (
            "OnBootSec=1min\nOnUnitActiveSec=30s\nRandomizedDelaySec=90s",
            "every 30 seconds, up to 90 s late (first: 1 minute after boot)",
        ),
        ("OnCalendar=*:0/5\nRandomizedDelaySec=0", "every 5 minutes"),
    ],
)
def test_randomized_delay_is_said_in_the_schedule(timer: str, words: str) -> None:
    service = parse_unit("ops/x.service", "[Service]\nExecStart=/usr/bin/python /srv/x.py\n").value
    unit = parse_unit("ops/x.timer", f"[Timer]\n{timer}\n").value
    paired = pair_jobs([service, unit])
    [job] = paired.value
    assert paired.problems == ()
    assert job.schedule is not None and job.schedule.words == words
    assert ("RandomizedDelaySec=" in job.schedule.expression) == ("RandomizedDelaySec" in timer)


def test_an_unreadable_randomized_delay_is_a_located_warning() -> None:
    service = parse_unit("ops/x.service", "[Service]\nExecStart=/usr/bin/python /srv/x.py\n").value
    unit = parse_unit("ops/x.timer", "[Timer]\nOnCalendar=*:0/5\nRandomizedDelaySec=soon\n").value
    paired = pair_jobs([service, unit])
    assert paired.value[0].schedule is not None and paired.value[0].schedule.words == "every 5 minutes"
    [problem] = paired.problems
    assert (problem.location.line, problem.message) == (3, "cannot read RandomizedDelaySec=soon")


@pytest.mark.parametrize(("expression", "words"), SCHEDULES)
def test_schedule_in_words(expression: str, words: str) -> None:
    assert describe_calendar(expression) == words
    assert parse_schedule("t", 1, expression).problems == ()


@pytest.mark.parametrize(
    "expression",
    ["*-*~01 00:00", "*-02~03", "2025-*-* 00:00", "*/5 * 1 * 1", "0 0-6/2 * * *", "*-*-1,15 12:00"],
)
def test_valid_but_unusual_schedules_stay_as_written_without_a_problem(expression: str) -> None:
    assert describe_calendar(expression) == expression
    assert parse_schedule("t", 1, expression).problems == ()


@pytest.mark.parametrize(
    "expression",
    [
        "banana",
        "*:0/x",
        "25:00",
        "*-13-01",
        "OnUnitActiveSec=soon",
        "OnCalendar=Funday",
        "61 * * * *",
        "@fortnightly",
        "",
    ],
)
def test_unreadable_schedules_are_returned_as_written_with_a_warning(expression: str) -> None:
    assert describe_calendar(expression) == expression.strip()
    result = parse_schedule("ops/x.timer", 7, expression)
    assert result.value.words == expression.strip()
    (problem,) = result.problems
    assert (str(problem.location), problem.level) == ("ops/x.timer:7", Level.WARNING)


def test_cron_zone_names_the_time_zone() -> None:
    assert parse_schedule("c", 1, "0 2 * * *", zone="Europe/Berlin").value.words == "daily at 02:00 Europe/Berlin"


# -------------------------------------------------------------------- cron


def test_user_crontab_jobs_and_bad_lines() -> None:
    path = "fixtures/evidence/ops.crontab"
    result = parse_crontab(path, (FIXTURES / "ops.crontab").read_text(encoding="utf-8"))
    jobs = [(j.name, j.script, j.schedule.words if j.schedule else None, j.location.line) for j in result.value]
    assert jobs == [
        ("graduation_evaluator", "app.jobs.graduation_evaluator", "every 15 minutes", 7),
        ("m10_daily_stats_export", "scripts/ops/m10_daily_stats_export.py", "daily at 00:05 UTC", 8),
        ("failure_aggregation", "/opt/agenticverz/scripts/ops/failure_aggregation.py", "daily at 02:00 UTC", 9),
        ("retry_r2_fallbacks", "/opt/agenticverz/scripts/ops/retry_r2_fallbacks.sh", "hourly at :00", 10),
        ("weekday-report", "/usr/local/bin/weekday-report", "Mon–Fri at 09:00 UTC", 11),
        ("retry_r2_fallbacks", "/opt/agenticverz/scripts/ops/retry_r2_fallbacks.sh", "at boot", 12),
    ]
    assert result.value[0].unit == "ops.crontab:7" and result.value[0].runs_module
    assert [(p.location.line, p.level) for p in result.problems] == [
        (15, Level.WARNING),
        (16, Level.WARNING),
        (17, Level.WARNING),
    ]
    assert all(p.location.path == path and p.message.startswith("not a cron line") for p in result.problems)


def test_system_crontab_has_a_user_column_and_a_zone() -> None:
    path = "etc/cron.d/agenticverz"
    result = parse_crontab(path, (FIXTURES / "cron.d" / "agenticverz").read_text(encoding="utf-8"))
    jobs = [(j.name, j.exec_start.split()[-1], j.schedule.words if j.schedule else None) for j in result.value]
    assert jobs == [
        ("cost_snapshot_job", "hourly", "hourly at :05"),
        ("cost_snapshot_job", "daily", "daily at 00:30 Europe/Berlin"),
        ("canary_runner", "/opt/agenticverz/scripts/ops/canary/canary_runner.py", "daily at 00:00 Europe/Berlin"),
    ]
    (problem,) = result.problems
    assert (problem.location.line, "no command" in problem.message) == (8, True)


def test_user_column_can_be_forced_and_root_is_always_a_user() -> None:
    text = "*/5 * * * * deploy /srv/a.py\n*/5 * * * * root /srv/b.py\n"
    as_user_crontab = parse_crontab("mine", text, system=False).value
    assert [j.script for j in as_user_crontab] == ["/srv/a.py", "/srv/b.py"]  # "deploy" is taken as the program
    assert as_user_crontab[0].exec_start == "deploy /srv/a.py"
    as_system = parse_crontab("mine", text, system=True).value
    assert [j.exec_start for j in as_system] == ["/srv/a.py", "/srv/b.py"]


# ---------------------------------------------------------------- commands


@pytest.mark.parametrize(
    ("command", "script", "runs_module"),
    [
        ("/opt/venv/bin/python /opt/app/scripts/ops/job.py --once", "/opt/app/scripts/ops/job.py", False),
        ("/opt/venv/bin/python3.11 -u -m app.jobs.graduation_evaluator", "app.jobs.graduation_evaluator", True),
        ("-/opt/app/scripts/ops/retry.sh", "/opt/app/scripts/ops/retry.sh", False),
        ("/bin/bash -c 'cd /opt/app && ./scripts/ops/retry.sh --all'", "./scripts/ops/retry.sh", False),
        ("/usr/bin/env python3 tools/export.py", "tools/export.py", False),
        ("uv run python -m app.cli", "app.cli", True),
        ("/usr/local/bin/backup-tool --now", "/usr/local/bin/backup-tool", False),
        ("flock -n /run/lock/x.lock /usr/bin/true", "", False),
        ("python -c 'print(1)'", "", False),
        ("bash -c 'unterminated", "unterminated", False),  # unbalanced quotes: split on spaces
        ("", "", False),
    ],
)
def test_command_script(command: str, script: str, runs_module: bool) -> None:
    assert command_script(command) == (script, runs_module)


# ---------------------------------------------------------------- property

_UNIT_LINES = st.sampled_from(
    [
        "[Unit]",
        "[Timer]",
        "[Service]",
        "OnCalendar=*:0/5",
        "OnUnitActiveSec=30s",
        "ExecStart=/bin/x.py \\",
        "A=",
        "=",
        "[",
    ]
)
_CRON_LINES = st.sampled_from(["*/5 * * * * /x.py", "@daily root /y.sh", "X=1", "# c", "* * *", "@", "61 * * * * z"])


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.lists(st.one_of(_UNIT_LINES, st.text(max_size=20)), max_size=20).map("\n".join)))
def test_parse_unit_and_pairing_never_raise(text: str) -> None:
    service = parse_unit("fuzz.service", text)
    timer = parse_unit("fuzz.timer", text)
    result = pair_jobs([service.value, timer.value])
    problems = (*service.problems, *timer.problems, *result.problems)
    assert all(p.level is Level.WARNING for p in problems)
    # Whatever the text, every problem and every job is located in one of the two files, on a line they have.
    lines = len(text.splitlines()) + 1
    for where in [p.location for p in problems] + [j.location for j in result.value]:
        assert where.path in {"fuzz.service", "fuzz.timer"} and 0 <= where.line <= lines, where


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.lists(st.one_of(_CRON_LINES, st.text(max_size=30)), max_size=20).map("\n".join)))
def test_parse_crontab_never_raises(text: str) -> None:
    result = parse_crontab("fuzz.crontab", text)
    assert all(p.level is Level.WARNING for p in result.problems)
    assert all(job.schedule is not None for job in result.value)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_describe_calendar_never_raises(text: str) -> None:
    assert isinstance(describe_calendar(text), str)
