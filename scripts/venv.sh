#!/bin/sh
# Create or update the project virtualenv (.venv) from the pinned, hashed requirements.
# Re-running is cheap: pip skips what is already installed.
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "venv: Python 3.11 or newer is required ($PYTHON is $("$PYTHON" --version 2>&1 || echo missing)); set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes \
  -r requirements.txt -r requirements-dev.txt
echo "venv: .venv is up to date"
