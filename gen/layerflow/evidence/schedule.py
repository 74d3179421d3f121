"""Schedules in words: systemd calendar events, timer spans and cron lines.

    *:0/5                  every 5 minutes
    *-*-* *:05:00          hourly at :05
    *-*-* 00:05:00         daily at 00:05 UTC
    Mon *-*-* 03:00        weekly on Monday at 03:00 UTC
    OnUnitActiveSec=30s    every 30 seconds
    */15 * * * *           every 15 minutes

Both systemd and cron expressions are read into one small model (Spec) and
described by one function, so the same schedule reads the same whichever
tool runs it. Times without a zone are taken as UTC: ops hosts keep their
clocks in UTC, and the registry says "daily 02:00 UTC". A valid expression
too unusual to put in words is returned as written; only an expression that
cannot be read at all is a problem.
"""

from __future__ import annotations

import re

from layerflow.errors import Parsed, warning
from layerflow.evidence.schedule_spec import ANY, MONTHS, Field, Part, Spec, describe
from layerflow.model.facts import Schedule

# ------------------------------------------------------------ public API


def describe_calendar(expression: str) -> str:
    """A schedule in words, or the expression as written when it cannot be read."""
    found = schedule_words(expression)
    return found if found is not None else expression.strip()


def parse_schedule(path: str, line: int, expression: str, zone: str = "") -> Parsed[Schedule]:
    """A Schedule, with a located warning when the expression cannot be read."""
    found = schedule_words(expression, zone)
    if found is not None:
        return Parsed(Schedule(expression, found))
    return Parsed(
        Schedule(expression, expression.strip()), (warning(path, line, f"cannot read schedule {expression!r}"),)
    )


def schedule_words(expression: str, zone: str = "") -> str | None:
    """Words for any schedule layerflow reads; None when it is not a schedule at all.

    Accepts "Key=value" timer settings (OnCalendar=, OnUnitActiveSec=...),
    cron expressions ("*/15 * * * *", "@daily"), bare timer spans ("15min")
    and systemd calendar events ("*-*-* 02:00:00 UTC").
    """
    text = expression.strip()
    key, sep, value = text.partition("=")
    if sep and key.strip() in TIMER_SETTINGS:
        return timer_words(key.strip(), value.strip())
    if text.startswith("@") or len(text.split()) == 5:
        return cron_words(text, zone)
    seconds = timespan_seconds(text)
    if seconds is not None:
        return "every " + _span_words(seconds, every=True)
    spec = _parse_calendar(text)
    return (describe(spec) or text) if spec is not None else None


# --------------------------------------------------------- timer settings


TIMER_SETTINGS = {
    "OnCalendar": "",
    "OnUnitActiveSec": "every {span}",
    "OnUnitInactiveSec": "{span} after each run finishes",
    "OnBootSec": "{span} after boot",
    "OnStartupSec": "{span} after systemd starts",
    "OnActiveSec": "{span} after the timer starts",
}
RECURRING_SETTINGS = ("OnCalendar", "OnUnitActiveSec", "OnUnitInactiveSec")


def timer_words(key: str, value: str) -> str | None:
    if key == "OnCalendar":
        spec = _parse_calendar(value)
        return (describe(spec) or value) if spec is not None else None
    seconds = timespan_seconds(value)
    if seconds is None:
        return None
    return TIMER_SETTINGS[key].format(span=_span_words(seconds, every=key == "OnUnitActiveSec"))


_SPAN_UNITS = {
    "us": 1e-6, "usec": 1e-6, "µs": 1e-6,
    "ms": 1e-3, "msec": 1e-3,
    "": 1, "s": 1, "sec": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "week": 604800, "weeks": 604800,
    "M": 2629800, "month": 2629800, "months": 2629800,
    "y": 31557600, "year": 31557600, "years": 31557600,
}  # fmt: skip
_SPAN_PIECE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-zµ]*)")


def timespan_seconds(text: str) -> float | None:
    """Seconds in a systemd time span ("30s", "15min", "1h 30min", "90"); None if it is not one."""
    position, total, pieces = 0, 0.0, 0
    text = text.strip()
    while position < len(text):
        match = _SPAN_PIECE.match(text, position)
        if not match or match.end() == position:
            return None
        unit = match.group(2)
        size = _SPAN_UNITS.get(unit) or _SPAN_UNITS.get(unit.lower())  # "M" is a month, "MIN" a minute
        if size is None:
            return None
        total += float(match.group(1)) * size
        position, pieces = match.end(), pieces + 1
    return total if pieces and total > 0 else None


def short_span(seconds: float) -> str:
    """A span as an ops person says it in passing: "30 s", "5 min", "2 h", "1.5 s", "250 ms"."""
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        count = seconds / size
        if count >= 1 and count == int(count):
            return f"{int(count)} {unit}"
    if seconds >= 1:
        return f"{seconds:g} s"
    return f"{round(seconds * 1000)} ms"


def _span_words(seconds: float, every: bool) -> str:
    """ "15 minutes"; with every=True a single unit drops its 1: "every minute"."""
    for name, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        count = seconds / size
        if count >= 1 and count == int(count):
            n = int(count)
            if n == 1:
                return name if every else f"1 {name}"
            return f"{n} {name}s"
    return f"{round(seconds * 1000)} milliseconds"


# ------------------------------------------------------- systemd calendar

_SHORTHANDS = {
    "minutely": "*-*-* *:*:00",
    "hourly": "*-*-* *:00:00",
    "daily": "*-*-* 00:00:00",
    "monthly": "*-*-01 00:00:00",
    "weekly": "Mon *-*-* 00:00:00",
    "yearly": "*-01-01 00:00:00",
    "annually": "*-01-01 00:00:00",
    "quarterly": "*-01,04,07,10-01 00:00:00",
    "semiannually": "*-01,07-01 00:00:00",
}
_WEEKDAYS = {
    "mon": 1, "monday": 1, "tue": 2, "tuesday": 2, "wed": 3, "wednesday": 3, "thu": 4, "thursday": 4,
    "fri": 5, "friday": 5, "sat": 6, "saturday": 6, "sun": 7, "sunday": 7,
}  # fmt: skip
_ZONE = re.compile(r"^(UTC|GMT|[A-Z][A-Za-z]+(?:/[A-Za-z0-9_+\-]+)+)$")
_SYSTEMD_PART = re.compile(r"^(?:(\*)|(\d+)(?:\.\.(\d+))?)(?:/(\d+))?$")


def _parse_calendar(text: str) -> Spec | None:
    tokens = _SHORTHANDS.get(text.strip().lower(), text).split()
    zone = tokens.pop() if len(tokens) > 1 and _ZONE.match(tokens[-1]) else ""
    weekdays: Field | None = ANY
    if tokens and tokens[0][:1].isalpha():
        weekdays = _parse_weekdays(tokens.pop(0))
    date: tuple[Field, Field, Field] | None = (ANY, ANY, ANY)
    clock: tuple[Field, Field, Field] | None = ((Part(0),), (Part(0),), (Part(0),))
    if not tokens and weekdays is ANY:
        return None
    for position, token in enumerate(tokens):
        if ":" in token and position == len(tokens) - 1:
            clock = _parse_clock(token)
        elif "-" in token and position == 0:
            date = _parse_date(token)
        else:
            return None
    if weekdays is None or date is None or clock is None:
        return None
    return Spec(weekdays, *date, *clock, zone=zone)


def _parse_weekdays(token: str) -> Field | None:
    parts: list[Part] = []
    for piece in token.split(","):
        first, dots, second = piece.partition("..")
        start = _WEEKDAYS.get(first.lower())
        end = _WEEKDAYS.get(second.lower()) if dots else None
        if start is None or (dots and end is None):
            return None
        parts.append(Part(start, end))
    return tuple(parts)


def _parse_date(token: str) -> tuple[Field, Field, Field] | None:
    pieces = token.replace("~", "-~").split("-")  # "*-02~03": the third day from the end of February
    if len(pieces) == 2:
        pieces.insert(0, "*")
    if len(pieces) != 3:
        return None
    year = _systemd_field(pieces[0], 1970, 2199)
    month = _systemd_field(pieces[1], 1, 12)
    last = pieces[2].startswith("~")
    day = _systemd_field(pieces[2].lstrip("~"), 1, 31)
    if year is None or month is None or day is None:
        return None
    if last:
        day = tuple(Part(p.start, p.end, p.step, last=True) for p in day)
    return year, month, day


def _parse_clock(token: str) -> tuple[Field, Field, Field] | None:
    pieces = token.split(":")
    if len(pieces) == 2:
        pieces.append("00")
    if len(pieces) != 3:
        return None
    hour = _systemd_field(pieces[0], 0, 23)
    minute = _systemd_field(pieces[1], 0, 59)
    second = _systemd_field(pieces[2], 0, 59)
    if hour is None or minute is None or second is None:
        return None
    return hour, minute, second


def _systemd_field(text: str, low: int, high: int) -> Field | None:
    parts: list[Part] = []
    for piece in text.split(","):
        match = _SYSTEMD_PART.match(piece)
        if not match:
            return None
        star, start, end, step = match.groups()
        part = Part(None if star else int(start), int(end) if end else None, int(step) if step else None)
        if not _in_range(part, low, high):
            return None
        parts.append(part)
    return tuple(parts)


def _in_range(part: Part, low: int, high: int) -> bool:
    values = [v for v in (part.start, part.end) if v is not None]
    return all(low <= v <= high for v in values) and (part.step is None or part.step > 0)


# ------------------------------------------------------------------- cron

_CRON_SHORTHANDS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_CRON_MONTHS = {m.lower(): i + 1 for i, m in enumerate(MONTHS)}
_CRON_DAYS = {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
_CRON_PART = re.compile(r"^(?:(\*)|(\w+)(?:-(\w+))?)(?:/(\d+))?$")


def cron_words(expression: str, zone: str = "") -> str | None:
    """Words for a cron schedule: five fields or an @shorthand; None when it is not one."""
    text = expression.strip()
    if text.lower() == "@reboot":
        return "at boot"
    fields = _CRON_SHORTHANDS.get(text.lower(), text).split()
    if len(fields) != 5:
        return None
    minute = _cron_field(fields[0], 0, 59)
    hour = _cron_field(fields[1], 0, 23)
    day = _cron_field(fields[2], 1, 31)
    month = _cron_field(fields[3], 1, 12, _CRON_MONTHS)
    weekday = _cron_field(fields[4], 0, 7, _CRON_DAYS)
    if minute is None or hour is None or day is None or month is None or weekday is None:
        return None
    spec = Spec(_iso_weekdays(weekday), ANY, month, day, hour, minute, (Part(0),), zone)
    return describe(spec) or text


def _cron_field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> Field | None:
    parts: list[Part] = []
    for piece in text.split(","):
        match = _CRON_PART.match(piece)
        if not match:
            return None
        star, first, second, step = match.groups()
        start = None if star else _cron_number(first, names)
        end = _cron_number(second, names) if second else None
        if (not star and start is None) or (second and end is None):
            return None
        part = Part(start, end, int(step) if step else None)
        if not _in_range(part, low, high):
            return None
        parts.append(part)
    return tuple(parts)


def _cron_number(text: str, names: dict[str, int] | None) -> int | None:
    if text.isdigit():
        return int(text)
    return names.get(text.lower()) if names else None


def _iso_weekdays(field: Field) -> Field:
    """Cron counts Sunday as 0 or 7; ISO, like systemd, counts Monday 1 .. Sunday 7."""
    if field == ANY:
        return field
    parts: list[Part] = []
    for part in field:
        if part.start == 0 and part.end is None and part.step is None:
            parts.append(Part(7))
        elif part.start == 0 and part.end is not None and part.step is None:
            if part.end >= 6:
                return ANY  # 0-6 or 0-7: every day
            parts.extend([Part(7), Part(1, part.end)] if part.end > 1 else [Part(7), Part(1)])
        elif part.start == 1 and part.end == 7 and part.step is None:
            return ANY
        else:
            parts.append(part)
    return tuple(parts)
