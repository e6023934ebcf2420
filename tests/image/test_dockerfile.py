"""Dockerfile.api read as text and by hadolint: fast checks, no engine needed."""

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

DOCKERFILE = (ROOT / "Dockerfile.api").read_text()


def test_hadolint_is_clean():
    hadolint = Path(sys.executable).with_name("hadolint")
    result = subprocess.run(
        [str(hadolint), "--no-color", str(ROOT / "Dockerfile.api")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_base_image_is_an_overridable_argument_defaulting_to_python_slim():
    assert re.search(r"^ARG BASE_IMAGE=python:3\.11-slim$", DOCKERFILE, re.M)
    assert re.search(r"^FROM \$\{BASE_IMAGE\} AS production$", DOCKERFILE, re.M)


def test_the_last_stage_the_default_target_is_production_and_debug_builds_on_it():
    stages = re.findall(r"^FROM (.*)$", DOCKERFILE, re.M)
    assert stages == ["${BASE_IMAGE} AS production", "production AS debug", "production"]


def test_dependencies_install_from_hashes_before_the_source_is_copied():
    lines = DOCKERFILE.splitlines()
    install = next(i for i, line in enumerate(lines) if "pip install" in line)
    assert "--require-hashes" in lines[install] and "--no-cache-dir" in lines[install]
    copy_reqs = next(i for i, line in enumerate(lines) if line.startswith("COPY requirements.txt"))
    copy_src = next(i for i, line in enumerate(lines) if re.match(r"COPY .*src/", line))
    assert copy_reqs < install < copy_src


def test_requirements_are_pinned_with_hashes():
    text = (ROOT / "requirements.txt").read_text()
    reqs = [line for line in text.splitlines() if re.match(r"^[A-Za-z0-9]", line)]
    assert reqs, "requirements.txt lists no packages"
    for line in reqs:
        assert re.match(r"^[A-Za-z0-9_.\-]+==[^\s]+ \\$", line), line
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 6)[-1])
    assert all("--hash=sha256:" in block for block in blocks if re.match(r"^[A-Za-z0-9]", block))
    names = {line.split("==")[0].lower() for line in reqs}
    assert {"fastapi", "uvicorn"} <= names
    assert not names & {"pytest", "httpx", "ruff"}, "test tooling belongs in requirements-dev.txt"
