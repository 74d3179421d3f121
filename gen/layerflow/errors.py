"""The one error type: a list of located problems, reported together."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from layerflow.model import Level, Location, Problem

T = TypeVar("T")


class InputError(Exception):
    """Raised at the edge when parsed inputs hold errors; str() lists them all."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(sorted(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


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
