"""The rules' own words on orphans (`rules.orphan_detection`), carried to every orphan finding and gap."""

from __future__ import annotations

from layerflow.model import OrphanPolicy


def orphan_detail(policy: OrphanPolicy) -> tuple[str, ...]:
    """Definition, action and exceptions (`l7_only_exception`, ...), a line each; () when the rules say none."""
    lines = [f"Orphan detection ({policy.location}): {policy.definition}"] if policy.definition else []
    if policy.action:
        lines.append(f"Action: {policy.action}")
    lines += [f"Exception ({key}): {text}" for key, text in policy.exceptions]
    return tuple(lines)
