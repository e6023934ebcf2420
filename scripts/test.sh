#!/bin/sh
# Run the test suite in the project virtualenv (created or updated first); arguments go to pytest,
# e.g. `scripts/test.sh -m "not slow"`.
set -u
cd "$(dirname "$0")/.." && sh scripts/venv.sh || exit
.venv/bin/python -m pytest "$@"
rc=$?
# pytest's exit 5, "no tests collected": a filter or path that selects nothing is a mistake here.
[ "$rc" -ne 5 ] || { echo "test: pytest collected no tests; failing on purpose (check the -m/-k filter or path)" >&2; exit 1; }
exit "$rc"
