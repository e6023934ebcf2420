"""ruff (lint and format) over the whole repository, as `make lint` runs it."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

RUFF = str(Path(sys.executable).with_name("ruff"))


@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]], ids=["check", "format"])
def test_ruff_is_clean(args):
    result = subprocess.run([RUFF, *args], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
