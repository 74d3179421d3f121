"""The one model of a schedule (systemd calendar events and cron lines both read into it) and its words. Pure."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_ZONE = "UTC"
DAY_NAMES = ("", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")  # ISO numbers
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class Part:
    """One comma-separated piece of a field: 5, 1..5, 0/15, */15, 1..5/2; start None means *."""

    start: int | None
    end: int | None = None
    step: int | None = None
    last: bool = False  # systemd "~": counted from the end of the month


ANY = (Part(None),)
Field = tuple[Part, ...]


@dataclass(frozen=True, slots=True)
class Spec:
    weekdays: Field  # ISO numbering: Monday 1 .. Sunday 7
    years: Field
    months: Field
    days: Field
    hours: Field
    minutes: Field
    seconds: Field
    zone: str = ""


# ------------------------------------------------------------- in words


def describe(spec: Spec) -> str | None:
    """The schedule in words, or None when it is valid but not a common shape."""
    fields = (spec.weekdays, spec.years, spec.months, spec.days, spec.hours, spec.minutes, spec.seconds)
    if any(part.last for field in fields for part in field):
        return None
    zone = spec.zone or DEFAULT_ZONE
    times = _clock_times(spec)
    every_day = spec.years == ANY and spec.months == ANY and spec.days == ANY
    if every_day and spec.weekdays == ANY:
        recurring = _recurring(spec)
        if recurring:
            return recurring
        return f"daily at {times} {zone}" if times else None
    if every_day and times:
        weekday = _single(spec.weekdays)
        if weekday is not None:
            return f"weekly on {DAY_NAMES[weekday]} at {times} {zone}"
        days = _weekday_list(spec.weekdays)
        return f"{days} at {times} {zone}" if days else None
    day = _single(spec.days)
    if spec.years == ANY and spec.weekdays == ANY and day is not None and times:
        month = _single(spec.months)
        if spec.months == ANY:
            return f"monthly on day {day} at {times} {zone}"
        if month is not None:
            return f"yearly on {_month_name(month)} {day} at {times} {zone}"
    return None


def _recurring(spec: Spec) -> str | None:
    """every N seconds / minutes / hours, or hourly at :MM; None for anything else."""
    second = _single(spec.seconds)
    if spec.hours == ANY and spec.minutes == ANY:
        if spec.seconds == ANY:
            return "every second"
        step = _every(spec.seconds)
        if step is not None:
            return _every_words(step, "second", "")
        return "every minute" if second == 0 else None
    if second is None:
        return None
    if spec.hours == ANY:
        step = _every(spec.minutes)
        if step is not None and second == 0:
            return _every_words(step, "minute", f" from :{step[0]:02d}")
        minutes = _values(spec.minutes)
        if minutes is not None:
            return "hourly at " + ", ".join(_minute_mark(m, second) for m in minutes)
        return None
    step = _every(spec.hours)
    minute = _single(spec.minutes)
    if step is not None and minute is not None:
        start, hours = step
        if hours == 1:
            return f"hourly at {_minute_mark(minute, second)}"
        return f"every {hours} hours at {_minute_mark(minute, second)}" + (f" from {start:02d}:00" if start else "")
    return None


def _every_words(step: tuple[int, int], unit: str, offset: str) -> str:
    start, count = step
    text = f"every {unit}" if count == 1 else f"every {count} {unit}s"
    return text + (offset if start else "")


def _clock_times(spec: Spec) -> str:
    hours, minutes, seconds = _values(spec.hours), _values(spec.minutes), _values(spec.seconds)
    if not hours or not minutes or not seconds or len(hours) * len(minutes) * len(seconds) > 6:
        return ""
    times = sorted((h, m, s) for h in hours for m in minutes for s in seconds)
    return ", ".join(f"{h:02d}:{m:02d}" + (f":{s:02d}" if s else "") for h, m, s in times)


def _minute_mark(minute: int, second: int) -> str:
    return f":{minute:02d}" + (f":{second:02d}" if second else "")


def _weekday_list(field: Field) -> str:
    """ "Mon–Fri", "Mon, Wed, Fri"; "" for steps or *."""
    names: list[str] = []
    for part in field:
        if part.start is None or part.step is not None:
            return ""
        short = DAY_NAMES[part.start][:3]
        names.append(short if part.end is None else f"{short}–{DAY_NAMES[part.end][:3]}")
    return ", ".join(names)


def _month_name(month: int) -> str:
    return MONTHS[month - 1]


def _values(field: Field) -> list[int] | None:
    """The plain values of a field (5 or 0,30); None when it has *, ranges or steps."""
    if any(p.start is None or p.end is not None or p.step is not None for p in field):
        return None
    return sorted({p.start for p in field if p.start is not None})


def _single(field: Field) -> int | None:
    values = _values(field)
    return values[0] if values and len(values) == 1 else None


def _every(field: Field) -> tuple[int, int] | None:
    """(start, step) of a field like 0/15 or */15; None otherwise."""
    if len(field) != 1 or field[0].step is None or field[0].end is not None:
        return None
    return field[0].start or 0, field[0].step
