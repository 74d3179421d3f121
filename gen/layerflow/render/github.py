"""`check --format github`: one GitHub Actions workflow command per judged finding, annotating its line.

Blocking findings are `::error`, warnings `::warning`, notes `::notice`;
known (baselined) and suppressed findings are not annotated, they are
counted on the last line. Values are escaped as the runner unescapes them.
"""

from __future__ import annotations

from layerflow.model import Analysis, Finding, Severity

_COMMAND = {Severity.BLOCKING: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    props = [f"file={escape_property(finding.location.path)}"]
    if finding.location.line:
        props.append(f"line={finding.location.line}")
    props.append(f"title={escape_property('layerflow ' + finding.rule)}")
    return f"::{_COMMAND[finding.severity]} {','.join(props)}::{escape_data(finding.message)}"


def to_github(analysis: Analysis) -> str:
    lines = [annotation(f) for f in analysis.findings]
    counts = f"{len(analysis.findings)} judged finding(s)"
    if analysis.baseline:
        counts = f"{len(analysis.findings)} new, {len(analysis.known)} known, {len(analysis.fixed)} fixed"
    if analysis.suppressed:
        counts += f", {len(analysis.suppressed)} suppressed"
    verdict = {0: "pass", 1: "warnings only", 2: "blocking findings"}[analysis.exit_code]
    lines.append(f"::notice title=layerflow::{escape_data(f'{counts}: {verdict}')}")
    return "\n".join(lines) + "\n"
