"""The README's tool versions are facts held elsewhere: what CI runs is what .ci/engines/*/go.mod
builds, and each minimum is what enforces it (the doctor's check, or the Tiltfile's
version_settings). A change to either side without the other fails here."""

import importlib
import re
import sys

import pytest

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()
ENGINES = ROOT / ".ci" / "engines"


def built(engine: str, module: str) -> str:
    """The version of `module` that .ci/engines/<engine>/go.mod requires (what build.sh builds)."""
    gomod = (ENGINES / engine / "go.mod").read_text()
    found = re.findall(rf"(?m)^(?:require\s+|\s+){re.escape(module)}\s+(v\S+)", gomod)
    assert len(found) == 1, f"{engine}/go.mod: {module} {found}"
    return found[0]


def row(tool: str) -> str:
    name = {"docker": "Docker"}.get(tool, tool)
    found = re.findall(rf"(?m)^\| {re.escape(name)} \| (.*)$", README)
    assert len(found) == 1, f"README's Prerequisites table: one row for {tool}"
    return found[0].split(" | ")[0]  # the version cell


@pytest.mark.parametrize(
    ("tool", "engine", "module"),
    [
        ("tilt", "tilt", "github.com/tilt-dev/tilt"),
        ("helm", "helm", "helm.sh/helm/v3"),
        # kubectl is built from the same Kubernetes module as the cluster (build.sh sets its version).
        ("kubectl", "kubernetes", "k8s.io/kubernetes"),
    ],
)
def test_the_readme_states_the_version_ci_runs(tool, engine, module):
    assert f"CI runs {built(engine, module)};" in row(tool)


def test_the_readme_states_the_kubernetes_version_ci_runs():
    assert f"CI's own cluster runs Kubernetes {built('kubernetes', 'k8s.io/kubernetes')}." in README


@pytest.fixture
def doctor(monkeypatch):
    """scripts/doctor.py as a module, its tools answering with versions the test chooses."""
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))
    for name in ("doctor", "doctor_cluster"):
        sys.modules.pop(name, None)
    module = importlib.import_module("doctor")
    yield module
    for name in ("doctor", "doctor_cluster"):
        sys.modules.pop(name, None)


OUTPUT = {
    "docker": "{}",
    "kubectl": "Client Version: v{}\nKustomize Version: v5.8.1",
    "helm": "v{}+g0000000",
    "tilt": "v{}, built 2026-12-01",
}
FINE = {"docker": "20.10.24", "kubectl": "1.36.3", "helm": "3.22.0", "tilt": "0.37.1"}


def verdict(doctor, monkeypatch, tool: str, version: str) -> str:
    """The doctor's line for `tool` when it reports `version` (the others report CI's versions)."""
    versions = {**FINE, tool: version}

    def run(*cmd, **kw):
        if cmd[0] in OUTPUT and cmd[1:2] != ("config",):
            return 0, OUTPUT[cmd[0]].format(versions[cmd[0]]), ""
        return 1, "", "no cluster here"

    monkeypatch.setattr(doctor.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(doctor, "run", run)
    monkeypatch.setattr(doctor, "tilt_result", lambda *a, **kw: (1, "no Tiltfile result here"))
    lines = [result for result in doctor.checks([]) if re.match(rf"\w+\s+{tool}\s", result)]
    assert lines, f"the doctor checks {tool}"
    return lines[0]  # its version check comes first


def minimum(tool: str) -> tuple[int, ...] | None:
    found = re.search(r"(\d+)\.(\d+)\.(\d+) or newer", row(tool))
    return tuple(int(n) for n in found.groups()) if found else None


@pytest.mark.parametrize("tool", ["docker", "kubectl", "helm", "tilt"])
def test_the_doctor_accepts_the_readme_minimum(doctor, monkeypatch, tool):
    stated = minimum(tool) or (0, 0, 1)
    assert verdict(doctor, monkeypatch, tool, ".".join(map(str, stated))).startswith("ok")


def test_the_readme_minimum_for_helm_is_the_doctors(doctor, monkeypatch):
    # The doctor stops on anything older than the README's minimum, and says so.
    major, minor, _ = minimum("helm")
    older = verdict(doctor, monkeypatch, "helm", f"{major}.{minor - 1}.99")
    assert older.startswith("FAIL") and f"needs >= {major}.{minor}" in older


def test_the_readme_minimum_for_tilt_is_the_tiltfiles():
    constraint = re.search(r"version_settings\(constraint='>=([\d.]+)'\)", (ROOT / "Tiltfile").read_text())
    assert constraint and tuple(int(n) for n in constraint[1].split(".")) == minimum("tilt")
