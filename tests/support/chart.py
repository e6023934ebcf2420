"""helm/astrid rendered by Helm's Go engine (helm-python-sdk) for release `astrid`.

One place for the engine tests, the benchmark and the server helper; tests/chart has its
own richer fixtures for checking the chart itself.
"""

import copy
from typing import Any

import yaml

from tests.support.engines import ROOT

CHART = ROOT / "helm" / "astrid"
TEMPLATES = "astrid/templates/"


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge as Helm layers `-f` files and `--set`: maps merge, anything else replaces."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def image_values(image: str, pull_policy: str | None = None) -> dict:
    """Values that point the chart at `repository:tag`, as Tilt's image keys do."""
    repository, tag = image.rsplit(":", 1)
    image_keys = {"repository": repository, "tag": tag}
    if pull_policy:
        image_keys["pullPolicy"] = pull_policy
    return {"api": {"image": image_keys}}


def render(values: dict | None = None, dev: bool = False) -> dict[str, dict]:
    """Template path under templates/ (e.g. `api-deployment.yaml`) -> the object it renders.

    `dev` layers values-dev.yaml under `values`, as the Tiltfile's `--values` flag does.
    """
    import helm_python as helm

    dev_values = helm.values_from_yaml((CHART / "values-dev.yaml").read_text()) if dev else {}
    layered = merge(dev_values, values or {})
    with helm.Chart.load(CHART) as chart:
        out = chart.render(layered, name="astrid")
    return {path.removeprefix(TEMPLATES): yaml.safe_load(text) for path, text in out.items()
            if path.endswith(".yaml")}  # fmt: skip


def pod_spec(values: dict | None = None, dev: bool = False) -> dict:
    """The Deployment's pod spec."""
    return render(values, dev)["api-deployment.yaml"]["spec"]["template"]["spec"]
