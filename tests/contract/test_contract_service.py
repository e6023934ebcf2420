"""Contracts of the running service: image name and keys, registry, ports, the health route, checks.

Each side is read from its own file (the Tiltfile by executing it, the chart by rendering it
with the exact flags Tilt's helm_resource passes), so changing one side alone fails here.
"""

from __future__ import annotations

import tomllib
from urllib.parse import urlparse

import pytest

from src.api.logging import HEALTH_PATH
from tests.contract.artifacts import ROOT, lookup
from tests.contract.tilt_install import (
    TAG,
    api_container,
    chart_values,
    installed,
    laptop_plan,
    one,
    pod_spec,
    the_chart,
    the_dockerfile,
    the_image,
)
from tests.tilt.fake_tilt import run_tiltfile

DOKS = "do-nyc1-astrid"


def test_image_keys_are_value_paths_of_the_chart():
    env = the_chart()["image_env"]
    keys = [v for k, v in env.items() if k.startswith(("TILT_IMAGE_KEY_REPO", "TILT_IMAGE_KEY_TAG"))]
    assert sorted(keys) == ["api.image.repository", "api.image.tag"]
    for key in keys:
        assert isinstance(lookup(chart_values(), key), str)


def test_image_name_is_the_same_everywhere():
    ref = the_image()["ref"]
    assert the_chart()["image_deps"] == [ref]
    assert lookup(chart_values(), "api.image.repository").rsplit("/", 1)[-1] == ref


@pytest.mark.parametrize("registry", ["astrid", "acme"])
def test_on_doks_the_chart_runs_the_pushed_image_with_its_pull_secret(registry):
    objects = installed(run_tiltfile(DOKS, ["--allow-context", DOKS, "--registry", registry]))
    assert api_container(objects)["image"] == f"registry.digitalocean.com/{registry}/astrid-api:{TAG}"
    assert pod_spec(objects)["imagePullSecrets"] == [{"name": f"registry-{registry}"}]


def test_on_a_laptop_the_chart_runs_the_plain_image_without_a_pull_secret():
    objects = installed(laptop_plan())
    assert api_container(objects)["image"] == f"astrid-api:{TAG}"
    assert "imagePullSecrets" not in pod_spec(objects)


def test_forwarded_port_is_the_port_uvicorn_binds():
    (forward,) = the_chart()["port_forwards"]
    container_port = int(forward.rsplit(":", 1)[1])
    objects = installed(laptop_plan())
    container = api_container(objects)
    (port,) = container["ports"]
    assert port["containerPort"] == container_port == lookup(chart_values(), "api.containerPort")
    assert f"--port={container_port}" in container["args"]
    dockerfile = the_dockerfile()
    assert int(dockerfile.last("EXPOSE").split("/")[0]) == container_port
    cmd = dockerfile.exec_form("CMD")
    assert cmd[cmd.index("--port") + 1] == str(container_port)
    (service_port,) = one(objects, "Service")["spec"]["ports"]
    assert service_port["targetPort"] in (port["name"], container_port)


def test_link_path_is_the_health_route_and_the_probe_path():
    plan = laptop_plan()
    (link,) = the_chart()["links"]
    assert urlparse(link.url).path == HEALTH_PATH
    container = api_container(installed(plan))
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == HEALTH_PATH
    assert plan.resources["health"]["cmd"][-1] == link.url
    assert plan.resources["pytest"]["env"]["ASTRID_SMOKE_URL"] == link.url


def test_local_resources_use_files_that_exist():
    local = laptop_plan().of_type("local").values()
    scripts = [arg for r in local for arg in r["cmd"] if arg.startswith("scripts/")]
    assert scripts
    assert all((ROOT / script).is_file() for script in scripts), scripts
    deps = [dep for r in local for dep in r["deps"] or []]
    assert all((ROOT / dep).exists() for dep in deps), deps


def test_pytest_resource_deselects_a_declared_marker_and_feeds_the_smoke_test():
    pytest_resource = laptop_plan().resources["pytest"]
    cmd = pytest_resource["cmd"]
    assert cmd[cmd.index("-m", cmd.index("pytest")) + 1] == "not slow"
    markers = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["markers"]
    assert any(m.startswith("slow:") for m in markers)
    smoke = "\n".join(p.read_text() for p in (ROOT / "tests" / "smoke").glob("test_*.py"))
    assert all(f'"{var}"' in smoke for var in pytest_resource["env"] if var.startswith("ASTRID_"))
