"""helm/astrid rendered offline by Helm's Go engine (helm-python-sdk), parsed for tests.

`render(values, dev=..., release=...)` layers values as `helm upgrade --install` does: the chart's
defaults, values-dev.yaml (dev=True, as the Tiltfile passes it), then `values` (as `--set` would)."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from tests.conftest import ROOT

CHART_DIR = ROOT / "helm" / "astrid"
RELEASE = "astrid"
HOOK_ANNOTATION = "helm.sh/hook"
Obj = dict[str, Any]


def merge(base: Obj, override: Obj) -> Obj:
    """Deep-merge as Helm layers `-f` files and `--set`: maps merge, anything else replaces."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@dataclass
class Rendered:
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
        found = [c for c in self.pod_spec["containers"] if c["name"] == "api"]
        assert len(found) == 1, f"expected one container named 'api', found {len(found)}"
        return found[0]


@cache
def _manifests(key: str) -> dict[str, str]:
    import helm_python

    layered, release = json.loads(key)
    with helm_python.Chart.load(CHART_DIR) as chart:
        return chart.render(layered, name=release, namespace=RELEASE, is_install=True)


def app_version() -> str:
    """The release version: Chart.yaml's appVersion (the image's version label and the app's repeat it)."""
    return yaml.safe_load((CHART_DIR / "Chart.yaml").read_text())["appVersion"]


def dev_values() -> Obj:
    """values-dev.yaml as Helm reads it."""
    import helm_python

    return helm_python.values_from_yaml((CHART_DIR / "values-dev.yaml").read_text())


def render(values: Obj | None = None, *, dev: bool = False, release: str = RELEASE) -> Rendered:
    """Fresh objects on every call (renders are cached by values)."""
    layered = merge(dev_values() if dev else {}, values or {})
    manifests = _manifests(json.dumps([layered, release], sort_keys=True))
    objects: list[Obj] = []
    hooks: list[Obj] = []
    notes = ""
    for path, text in sorted(manifests.items()):
        if path.endswith("NOTES.txt"):
            notes = text
            continue
        for doc in filter(None, yaml.safe_load_all(text)):
            annotations = doc.get("metadata", {}).get("annotations") or {}
            (hooks if HOOK_ANNOTATION in annotations else objects).append(doc)
    return Rendered(objects=objects, hooks=hooks, notes=notes)
