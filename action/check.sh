#!/usr/bin/env bash
# The Action's check step: annotations on the log (--format github), the SARIF log to a file, the exit code
# to the step's outputs. Runs anywhere: outside GitHub, GITHUB_OUTPUT may be unset.
set -uo pipefail
read -r -a args <<< "${LAYERFLOW_ARGS:-}"
read -r -a check_args <<< "${LAYERFLOW_CHECK_ARGS:-}"
sarif="${LAYERFLOW_SARIF:-layerflow.sarif}"

layerflow check "${args[@]}" "${check_args[@]}" --format sarif > "$sarif"
code=$?
layerflow check "${args[@]}" "${check_args[@]}" --format github
echo "exit-code=$code" >> "${GITHUB_OUTPUT:-/dev/null}"
echo "layerflow check exited $code; SARIF written to $sarif"
exit 0  # the verdict step decides, after the SARIF upload and the summary ran
