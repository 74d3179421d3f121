#!/usr/bin/env bash
# The Action's last step: fail the job as `fail-on` says (blocking: exit 2 or 3; warning: 1, 2 or 3).
set -u
code="${LAYERFLOW_EXIT:-3}"
limit=2
[ "${LAYERFLOW_FAIL_ON:-blocking}" = warning ] && limit=1
if [ "$code" -ge "$limit" ]; then
  echo "layerflow: check exited $code (fail-on: ${LAYERFLOW_FAIL_ON:-blocking})"
  exit 1
fi
echo "layerflow: check exited $code: passes (fail-on: ${LAYERFLOW_FAIL_ON:-blocking})"
