"""Shared test settings: repository paths and the rule for missing engines."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def engines_required() -> bool:
    """In CI a missing engine (Docker, the CI cluster, ab) is a failure, never a skip."""
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("ASTRID_REQUIRE_ENGINES") == "1"


def require_engine(name: str, probe: list[str]) -> None:
    """Skip (locally) or fail (CI) unless the engine's CLI exists and answers `probe`."""
    if shutil.which(name):
        result = subprocess.run(probe, capture_output=True, text=True, timeout=60)
        if result.returncode == 0:
            return
        reason = f"{name} is installed but `{' '.join(probe)}` failed: {result.stderr.strip()[:200]}"
    else:
        reason = f"{name} is not installed"
    if engines_required():
        pytest.fail(f"{reason} (engines are required in CI, which installs and starts them)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def api_image() -> str:
    """The image built from Dockerfile.api by the real Docker engine (classic builder)."""
    require_engine("docker", ["docker", "info"])
    from tests.support.engines import build_image

    return build_image("test")


def pytest_collection_modifyitems(config, items):
    """The smoke test needs the port Tilt forwards (ASTRID_SMOKE_URL, set by the Tilt health resource).
    Without it the test is deselected, never skipped: tests/loop proves it ran inside `tilt ci`."""
    if os.environ.get("ASTRID_SMOKE_URL"):
        return
    smoke = [item for item in items if item.get_closest_marker("smoke")]
    if smoke:
        config.hook.pytest_deselected(items=smoke)
        items[:] = [item for item in items if not item.get_closest_marker("smoke")]


def pytest_terminal_summary(terminalreporter):
    """Said at the end, so a local run cannot pass for CI's: here a skip means a missing engine."""
    if skipped := len(terminalreporter.stats.get("skipped", [])):
        why = "pytest -rs says which; ASTRID_REQUIRE_ENGINES=1 fails them, as CI does"
        terminalreporter.write_line(f"{skipped} test(s) skipped for a missing engine ({why})", yellow=True)
