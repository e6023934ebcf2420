"""Render helm/astrid offline (Helm v4 Go SDK via helm_python) and hand tests parsed objects.

`render(values, dev=..., release=...)` layers values like `helm upgrade --install`:
chart defaults, then values-dev.yaml (when dev=True), then the overrides (as `--set` would).
NOTES.txt is kept as text; helm test hooks are kept apart from the installed objects.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import helm_python
import pytest
import yaml

from tests.support.chart import merge

CHART_DIR = Path(__file__).resolve().parents[2] / "helm" / "astrid"
DEV_VALUES_FILE = CHART_DIR / "values-dev.yaml"
RELEASE = "astrid"
NAMESPACE = "astrid"
HOOK_ANNOTATION = "helm.sh/hook"

Obj = dict[str, Any]


@dataclass
class Rendered:
    """One render of the chart: installed objects, helm test hooks and NOTES.txt."""

    objects: list[Obj]
    hooks: list[Obj]
    notes: str

    def one(self, kind: str, *, hook: bool = False) -> Obj:
        found = [o for o in (self.hooks if hook else self.objects) if o["kind"] == kind]
        assert len(found) == 1, f"expected one {kind} (hook={hook}), found {len(found)}"
        return found[0]

    @property
    def deployment(self) -> Obj:
        return self.one("Deployment")

    @property
    def service(self) -> Obj:
        return self.one("Service")

    @property
    def test_pod(self) -> Obj:
        return self.one("Pod", hook=True)

    @property
    def pod_spec(self) -> Obj:
        """The Deployment's pod template spec."""
        return self.deployment["spec"]["template"]["spec"]

    @property
    def pod_labels(self) -> dict[str, str]:
        return self.deployment["spec"]["template"]["metadata"]["labels"]

    @property
    def api(self) -> Obj:
        """The Deployment's `api` container."""
        return self.container(self.pod_spec, "api")

    @staticmethod
    def containers(spec: Obj) -> list[Obj]:
        """Init containers and containers of a pod spec."""
        return [*spec.get("initContainers", []), *spec["containers"]]

    @classmethod
    def container(cls, spec: Obj, name: str) -> Obj:
        found = [c for c in cls.containers(spec) if c["name"] == name]
        assert len(found) == 1, f"expected one container named {name!r}, found {len(found)}"
        return found[0]


def parse(manifests: dict[str, str]) -> Rendered:
    objects: list[Obj] = []
    hooks: list[Obj] = []
    notes = ""
    for path, text in sorted(manifests.items()):
        if path.endswith("NOTES.txt"):
            notes = text
            continue
        for doc in yaml.safe_load_all(text):
            if not doc:
                continue
            annotations = doc.get("metadata", {}).get("annotations") or {}
            (hooks if HOOK_ANNOTATION in annotations else objects).append(doc)
    return Rendered(objects=objects, hooks=hooks, notes=notes)


RenderFn = Callable[..., Rendered]


@pytest.fixture(scope="session")
def chart() -> Iterator[helm_python.Chart]:
    with helm_python.Chart.load(CHART_DIR) as loaded:
        yield loaded


@pytest.fixture(scope="session")
def dev_values() -> Obj:
    return helm_python.values_from_yaml(DEV_VALUES_FILE.read_text())


@pytest.fixture(scope="session")
def chart_dir() -> Path:
    return CHART_DIR


@pytest.fixture(scope="session")
def render(chart: helm_python.Chart, dev_values: Obj) -> RenderFn:
    """`render(values=None, *, dev=False, release="astrid")`: fresh objects on every call."""
    cache: dict[str, dict[str, str]] = {}

    def _render(values: Obj | None = None, *, dev: bool = False, release: str = RELEASE) -> Rendered:
        layered = merge(dev_values if dev else {}, values or {})
        key = json.dumps([layered, release], sort_keys=True)
        if key not in cache:
            cache[key] = chart.render(layered, name=release, namespace=NAMESPACE, is_install=True)
        return parse(cache[key])

    return _render


@pytest.fixture
def prod(render: RenderFn) -> Rendered:
    """Production: the chart's own values.yaml only."""
    return render()


@pytest.fixture
def dev(render: RenderFn) -> Rendered:
    """Development: values.yaml + values-dev.yaml, as the Tiltfile installs it."""
    return render(dev=True)
