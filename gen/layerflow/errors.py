"""Located problems, reported together: what parsers return beside their value."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from layerflow.model import Level, Location, Problem

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Parsed(Generic[T]):
    """A parser's answer: the value it could build, and every problem it saw."""

    value: T
    problems: tuple[Problem, ...] = ()

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level is Level.ERROR)


def error(path: str, line: int, message: str, *, signals: tuple[str, ...] = ()) -> Problem:
    return Problem(Location(path, line), message, Level.ERROR, signals)


def warning(path: str, line: int, message: str, *, signals: tuple[str, ...] = ()) -> Problem:
    return Problem(Location(path, line), message, Level.WARNING, signals)


def note(path: str, line: int, message: str, *, signals: tuple[str, ...] = ()) -> Problem:
    return Problem(Location(path, line), message, Level.NOTE, signals)


def softened(problems: Iterable[Problem]) -> list[Problem]:
    """The problems as warnings: evidence is best-effort, so what cannot be read never stops an audit."""
    return [replace(p, level=Level.WARNING) for p in problems]
