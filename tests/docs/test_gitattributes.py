"""A Windows checkout keeps the scripts runnable: .gitattributes pins LF for every shell script,
the Tiltfile (Starlark), the Makefile and the Python files, whatever core.autocrlf says."""

import subprocess

import pytest

from tests.conftest import ROOT


def tracked(*patterns: str) -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "--", *patterns], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return out.split()


SCRIPTS = tracked("*.sh", ".ci/run", "scripts/*", "Tiltfile", "Makefile", "*.py", "Dockerfile*")


def test_the_scripts_are_all_there():
    # The list below is not empty by accident (git ls-files found the project's files).
    assert {".ci/run", "Tiltfile", "Makefile", "scripts/dev.sh", "scripts/doctor.py"} <= set(SCRIPTS)


@pytest.mark.parametrize("path", SCRIPTS)
def test_checked_out_with_lf_line_endings(path):
    out = subprocess.run(
        ["git", "check-attr", "eol", "text", "--", path], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert f"{path}: eol: lf" in out.splitlines(), out
    assert f"{path}: text: set" in out.splitlines(), out
