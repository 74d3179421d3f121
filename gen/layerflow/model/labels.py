"""How messages name signals: `SIG-901 HealthDigest`, from the registry, in one place.

A reader, a CI log and a JSON consumer all need the UID, and a person wants the
name beside it. Every finding, gap title and page title that speaks of a signal
says it this way, so a UID found in one output is found in all of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from layerflow.model.registry import Signal
from layerflow.model.results import Flow


def signal_label(uid: str, signals: Mapping[str, Signal]) -> str:
    """`SIG-901 HealthDigest`; the UID alone when the registry does not define it or gives no name."""
    signal = signals.get(uid)
    return f"{uid} {signal.name}" if signal is not None and signal.name else uid


def signals_label(uids: Iterable[str], signals: Mapping[str, Signal]) -> str:
    """Several signals, in the order given, each once: `SIG-100 GraduationStatus, SIG-101 ...`."""
    return ", ".join(signal_label(uid, signals) for uid in dict.fromkeys(uids))


def flow_label(flow: Flow, signals: Mapping[str, Signal]) -> str:
    """A flow as messages name it: its signals, with the output when the output is not simply the signal.

    A registry row's flow is its signal (`SIG-901 HealthDigest`); an inventory output that
    names signals is `graduation records (SIG-100 GraduationStatus)`; one that names none
    (an unregistered flow) is its output alone.
    """
    if not flow.signals:
        return flow.output
    label = signals_label(flow.signals, signals)
    named = {flow.output.casefold()} & {
        text.casefold() for uid in flow.signals for text in (uid, signals[uid].name if uid in signals else "")
    }
    return label if named else f"{flow.output} ({label})"


def subject_label(subject: str, uids: Iterable[str], signals: Mapping[str, Signal]) -> str:
    """A gap's or finding's subject with its signals: `SIG-100 GraduationStatus`, `Sweep Job (SIG-902 SweepMarker)`."""
    uids = tuple(uids)
    if not uids:
        return subject
    if subject in uids:
        return signals_label((subject, *uids), signals)
    return f"{subject} ({signals_label(uids, signals)})"


def percent_text(percent: float) -> str:
    """A share as messages and pages say it: "12.5%", "40%"."""
    return f"{percent:.1f}".removesuffix(".0") + "%"
