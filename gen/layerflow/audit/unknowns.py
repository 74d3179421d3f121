"""UNKNOWN cells against the rules' unknown_handling: which fields may say it, and how often.

An UNKNOWN is an honest answer the registry gives on purpose; the rules say
where it may stand (`fields_that_can_be_unknown`) and at what rate
(`expected_rate`). A column a table lacks is not UNKNOWN: it is not counted.
"""

from __future__ import annotations

from collections import Counter
from itertools import chain

from layerflow.model import UNKNOWN, Finding, Registry, Severity, UnknownPolicy, UnknownShare
from layerflow.model.labels import percent_text
from layerflow.parse.expr import normalize_field

_NAMED = 5  # signals named in one rate finding


def unknown_shares(registry: Registry, policy: UnknownPolicy) -> tuple[UnknownShare, ...]:
    """One share per field that says UNKNOWN somewhere or that the rules list: listed fields first."""
    totals: Counter[str] = Counter(chain.from_iterable(signal.fields for signal in registry.signals))  # one count
    unknown: dict[str, list[str]] = {}
    for signal in registry.signals:
        if UNKNOWN in signal.fields.values():  # most rows have none: skip the per-field loop
            for name, value in signal.fields.items():
                if value == UNKNOWN:
                    unknown.setdefault(name, []).append(signal.uid)
        for header, value in signal.extra.items():  # columns layerflow does not know still hold cells
            name = normalize_field(header)
            totals[name] += 1
            if value.upper() == UNKNOWN:
                unknown.setdefault(name, []).append(signal.uid)
    listed = list(policy.fields or ())
    order = listed + sorted(set(unknown) - set(listed))
    shares = []
    for name in order:
        permitted = policy.permits(name)
        share = UnknownShare(name, tuple(unknown.get(name, ())), totals[name], permitted, None)
        if policy.rate is not None and share.total and permitted is not False:
            share = UnknownShare(name, share.signals, share.total, permitted, policy.rate.exceeded_by(share.percent))
        shares.append(share)
    return tuple(shares)


def unknown_findings(registry: Registry, policy: UnknownPolicy, shares: tuple[UnknownShare, ...]) -> list[Finding]:
    """`unknown.not-allowed` per signal and field the rules do not let say UNKNOWN; `unknown.rate` per field."""
    signals = registry.by_uid()
    found: list[Finding] = []
    for share in shares:
        if share.permitted is False:
            why = _why_not(policy)
            for uid in share.signals:
                signal = signals[uid]
                found.append(
                    Finding(
                        "unknown.not-allowed",
                        Severity.WARNING,
                        uid,
                        f"{uid} {signal.name}: {share.field} is UNKNOWN, but {why}",
                        signal.location,
                        (uid,),
                    )
                )
        if share.exceeded:
            named = ", ".join(f"{uid} {signals[uid].name}" for uid in share.signals[:_NAMED])
            more = f" and {len(share.signals) - _NAMED} more" if len(share.signals) > _NAMED else ""
            found.append(
                Finding(
                    "unknown.rate",
                    Severity.INFO,
                    share.field,
                    f"{share.field}: {len(share.signals)} of {share.total} signals ({percent_text(share.percent)}) "
                    f"say UNKNOWN, above the expected rate {policy.expected_rate!r} ({policy.location}): {named}{more}",
                    policy.location,
                    tuple(share.signals),
                )
            )
    return found


def _why_not(policy: UnknownPolicy) -> str:
    if policy.allowed is False:
        return f"the rules allow UNKNOWN in no field (rules.unknown_handling.allowed: false, {policy.fields_location})"
    listed = ", ".join(policy.fields or ()) or "no field"
    return f"the rules allow UNKNOWN only in {listed} ({policy.fields_location})"
