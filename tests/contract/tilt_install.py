"""The chart as Tilt installs it: rendered with the flags the Tiltfile's helm_resource passes.

`installed(plan)` takes the `helm upgrade --install` command the fake's helm_resource would run
(the Tiltfile's flags, then the built image's `--set`s), turns it into values the way Helm layers
them, and renders the chart offline with helm_python.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import helm_python
import yaml

from tests.contract.artifacts import ROOT, Dockerfile
from tests.tilt.fake_tilt import Plan, run_tiltfile

TAG = "tilt-0123456789abcdef"
HOOK = "helm.sh/hook"


@cache
def laptop_plan() -> Plan:
    return run_tiltfile("kind-astrid")


def the_image() -> dict[str, Any]:
    """The Tiltfile's one docker_build."""
    (image,) = laptop_plan().images.values()
    return image


def the_chart() -> dict[str, Any]:
    """The Tiltfile's one helm_resource."""
    (helm,) = laptop_plan().of_type("k8s").values()
    return helm


def the_dockerfile() -> Dockerfile:
    image = the_image()
    return Dockerfile.read(ROOT / image["context"] / image["dockerfile"])


def chart_values() -> dict[str, Any]:
    return helm_python.values_from_yaml((ROOT / the_chart()["chart"] / "values.yaml").read_text())


def installed(plan: Plan, name: str = "astrid-api") -> list[dict[str, Any]]:
    resource = plan.resources[name]
    command = plan.helm_command(name, TAG)
    assert command[3:5] == ["upgrade", "--install"]
    user_values, namespace = helm_values(command[5:-2], ROOT)
    return render(ROOT / resource["chart"], user_values, resource["release_name"], namespace)


def one(objects: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    """The one installed (non-hook) object of `kind`."""
    (found,) = [o for o in objects if o["kind"] == kind and HOOK not in o["metadata"].get("annotations", {})]
    return found


def pod_spec(objects: list[dict[str, Any]]) -> dict[str, Any]:
    return one(objects, "Deployment")["spec"]["template"]["spec"]


def api_container(objects: list[dict[str, Any]]) -> dict[str, Any]:
    (found,) = [c for c in pod_spec(objects)["containers"] if c["name"] == "api"]
    return found


def sync_step(image: dict[str, Any]) -> tuple[str, str]:
    (sync,) = [s for s in image["live_update"] if s.kind == "sync"]
    return sync.args


def helm_values(args: list[str], root: Path) -> tuple[dict[str, Any], str | None]:
    """User values and namespace from `helm upgrade --install` flags, layered in Helm's order:
    --values files, then --set-json, then --set."""
    files, jsons, sets, namespace = [], [], [], None
    it = iter(args)
    for arg in it:
        if arg in ("--values", "-f"):
            files.append(helm_python.values_from_yaml((root / next(it)).read_text()))
        elif arg == "--set-json":
            jsons.append(helm_python.parse_set_json(next(it)))
        elif arg == "--set":
            sets.append(helm_python.parse_set_string(next(it)))
        elif arg == "--namespace":
            namespace = next(it)
    values: dict[str, Any] = {}
    for layer in [*files, *jsons, *sets]:
        values = merge(values, layer)
    return values, namespace


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        both_maps = isinstance(value, dict) and isinstance(out.get(key), dict)
        out[key] = merge(out[key], value) if both_maps else value
    return out


def render(chart: Path, values: dict[str, Any], release: str, namespace: str | None) -> list[dict[str, Any]]:
    with helm_python.Chart.load(chart) as loaded:
        manifests = loaded.render(values, name=release, namespace=namespace or "default", is_install=True)
    return [
        doc
        for path, text in manifests.items()
        if path.endswith(".yaml")
        for doc in yaml.safe_load_all(text)
        if doc
    ]
