#!/usr/bin/env bash
# The Action's summary step: the registry diff since LAYERFLOW_DIFF_BASE, as Markdown, on the job summary.
# A diff that cannot be made (the base not fetched, inputs invalid there) says so on the summary; never fails.
set -uo pipefail
read -r -a args <<< "${LAYERFLOW_ARGS:-}"
summary="${GITHUB_STEP_SUMMARY:-/dev/stdout}"
if diff=$(layerflow diff "${args[@]}" "$LAYERFLOW_DIFF_BASE" --format markdown 2> layerflow-diff.err) || [ -n "$diff" ]; then
  printf '%s\n' "$diff" >> "$summary"
else
  { echo "### layerflow: no registry diff against ${LAYERFLOW_DIFF_BASE}"; echo; echo '```'; cat layerflow-diff.err; echo '```'; } >> "$summary"
fi
rm -f layerflow-diff.err
exit 0
