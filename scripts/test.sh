#!/bin/sh
# Run the test suite in the project virtualenv (created or updated first).
# Arguments go to pytest, e.g. `scripts/test.sh -m "not slow"`.
set -eu
cd "$(dirname "$0")/.."
sh scripts/venv.sh
set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  # pytest's "no tests collected": a filter or path that selects nothing is a mistake here.
  echo "test: pytest collected no tests; failing on purpose (check the -m/-k filter or path)" >&2
  exit 1
fi
exit "$rc"
