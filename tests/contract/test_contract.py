"""Contracts between the Tiltfile, Dockerfile.api, .dockerignore, the chart and the app.

Each fact is read from its own file (the Tiltfile by executing it, the chart by rendering it
with the exact flags Tilt's helm_resource passes), so changing one side alone fails here.
"""

from __future__ import annotations

import tomllib
from urllib.parse import urlparse

import helm_python
import pytest

from src.api.logging import HEALTH_PATH
from tests.contract.artifacts import (
    ROOT,
    Dockerfile,
    dockerignore_admits,
    helm_values,
    lookup,
    render,
    uid,
)
from tests.tilt.fake_tilt import Plan, run_tiltfile

DOKS = "do-nyc1-astrid"
TAG = "tilt-0123456789abcdef"


@pytest.fixture(scope="module")
def plan() -> Plan:
    return run_tiltfile("kind-astrid")


@pytest.fixture(scope="module")
def image(plan: Plan) -> dict:
    (only,) = plan.images.values()
    return only


@pytest.fixture(scope="module")
def helm(plan: Plan) -> dict:
    (only,) = plan.of_type("k8s").values()
    return only


@pytest.fixture(scope="module")
def dockerfile(image: dict) -> Dockerfile:
    return Dockerfile.read(ROOT / image["context"] / image["dockerfile"])


@pytest.fixture(scope="module")
def values(helm: dict) -> dict:
    return helm_python.values_from_yaml((ROOT / helm["chart"] / "values.yaml").read_text())


def installed(plan: Plan, name: str = "astrid-api") -> list[dict]:
    """The chart rendered with the flags helm_resource passes (values-dev.yaml, --set ...)."""
    resource = plan.resources[name]
    user_values, namespace = helm_values(plan.helm_command(name, TAG)[5:-2], ROOT)
    return render(ROOT / resource["chart"], user_values, resource["release_name"], namespace)


def one(objects: list[dict], kind: str) -> dict:
    (found,) = [
        o for o in objects if o["kind"] == kind and "helm.sh/hook" not in o["metadata"].get("annotations", {})
    ]
    return found


def api_container(objects: list[dict]) -> dict:
    (found,) = [
        c for c in one(objects, "Deployment")["spec"]["template"]["spec"]["containers"] if c["name"] == "api"
    ]
    return found


def sync_step(image: dict) -> tuple[str, str]:
    (sync,) = [s for s in image["live_update"] if s.kind == "sync"]
    return sync.args


def test_sync_target_is_where_the_image_puts_the_source(image, dockerfile):
    local, remote = sync_step(image)
    assert dockerfile.covering(local)[1] == remote


def test_sync_target_is_the_charts_source_path_and_the_reload_dir(plan, image, values):
    _, remote = sync_step(image)
    assert lookup(values, "api.source.path") == remote
    args = api_container(installed(plan))["args"]
    assert "--reload" in args
    assert f"--reload-dir={remote}" in args


def test_sync_target_is_writable_by_the_images_user(plan, image, dockerfile):
    local, remote = sync_step(image)
    flags, _ = dockerfile.covering(local)
    chown = flags.get("chown", "0")  # without --chown, COPY makes root the owner
    objects = installed(plan)
    pod = one(objects, "Deployment")["spec"]["template"]["spec"]
    container = api_container(objects)
    assert uid(chown) == uid(dockerfile.last("USER"))
    assert uid(chown) == container["securityContext"]["runAsUser"] == pod["securityContext"]["runAsUser"]
    # The root filesystem is read-only, so the target must sit on a (writable) volume mount.
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    mounts = [m["mountPath"].rstrip("/") for m in container["volumeMounts"] if not m.get("readOnly")]
    assert any(remote == m or remote.startswith(m + "/") for m in mounts), (remote, mounts)


def test_image_keys_are_value_paths_of_the_chart(helm, values):
    keys = [
        v for k, v in helm["image_env"].items() if k.startswith(("TILT_IMAGE_KEY_REPO", "TILT_IMAGE_KEY_TAG"))
    ]
    assert sorted(keys) == ["api.image.repository", "api.image.tag"]
    for key in keys:
        assert isinstance(lookup(values, key), str)


def test_image_name_is_the_same_everywhere(image, helm, values):
    assert helm["image_deps"] == [image["ref"]]
    assert lookup(values, "api.image.repository").rsplit("/", 1)[-1] == image["ref"]


@pytest.mark.parametrize("registry", ["astrid", "acme"])
def test_the_chart_runs_the_image_tilt_pushed_with_its_pull_secret(registry):
    plan = run_tiltfile(DOKS, ["--allow-context", DOKS, "--registry", registry])
    objects = installed(plan)
    assert api_container(objects)["image"] == f"registry.digitalocean.com/{registry}/astrid-api:{TAG}"
    pod = one(objects, "Deployment")["spec"]["template"]["spec"]
    assert pod["imagePullSecrets"] == [{"name": f"registry-{registry}"}]


def test_a_laptop_cluster_gets_the_plain_image_and_no_pull_secret(plan):
    objects = installed(plan)
    assert api_container(objects)["image"] == f"astrid-api:{TAG}"
    assert "imagePullSecrets" not in one(objects, "Deployment")["spec"]["template"]["spec"]


def test_forwarded_port_is_the_port_uvicorn_binds(plan, helm, dockerfile, values):
    (forward,) = helm["port_forwards"]
    container_port = int(forward.rsplit(":", 1)[1])
    objects = installed(plan)
    container = api_container(objects)
    (port,) = container["ports"]
    assert port["containerPort"] == container_port == lookup(values, "api.containerPort")
    assert f"--port={container_port}" in container["args"]
    assert int(dockerfile.last("EXPOSE").split("/")[0]) == container_port
    cmd = dockerfile.exec_form("CMD")
    assert cmd[cmd.index("--port") + 1] == str(container_port)
    (service_port,) = one(objects, "Service")["spec"]["ports"]
    assert service_port["targetPort"] == port["name"]


def test_link_path_is_the_health_route_and_the_probe_path(plan, helm):
    (link,) = helm["links"]
    assert urlparse(link.url).path == HEALTH_PATH
    container = api_container(installed(plan))
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == HEALTH_PATH
    assert plan.resources["health"]["cmd"][-1] == link.url
    assert plan.resources["pytest"]["env"]["ASTRID_SMOKE_URL"] == link.url


def test_dev_values_file_exists_and_turns_on_live_update(helm):
    flags = helm["flags"]
    path = ROOT / flags[flags.index("--values") + 1]
    dev = helm_python.values_from_yaml(path.read_text())
    assert lookup(dev, "api.server.reload") is True
    assert lookup(dev, "api.source.writable") is True


def test_live_update_paths_exist(image):
    for step in image["live_update"]:
        if step.kind == "fall_back_on":
            assert all((ROOT / path).is_file() for path in step.args), step.args
    local, _ = sync_step(image)
    assert (ROOT / image["context"] / local).is_dir()


def test_only_lets_in_exactly_what_dockerignore_lets_in(image):
    admitted = dockerignore_admits(ROOT / image["context"])
    only = [entry.rstrip("/") for entry in image["only"]]
    assert admitted, ".dockerignore admits nothing"
    for path in admitted:
        assert any(path == e or path.startswith(e + "/") for e in only), f"{path}: not in only={only}"
    for entry in only:
        assert any(path == entry or path.startswith(entry + "/") for path in admitted), entry


def test_local_resources_use_files_that_exist(plan):
    local = plan.of_type("local").values()
    scripts = [arg for r in local for arg in r["cmd"] if arg.startswith("scripts/")]
    assert scripts
    assert all((ROOT / script).is_file() for script in scripts), scripts
    deps = [dep for r in local for dep in r["deps"] or []]
    assert all((ROOT / dep).exists() for dep in deps), deps


def test_pytest_resource_deselects_a_declared_marker_and_feeds_the_smoke_test(plan):
    cmd = plan.resources["pytest"]["cmd"]
    expression = cmd[cmd.index("-m", cmd.index("pytest")) + 1]
    assert expression == "not slow"
    markers = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["markers"]
    assert any(m.startswith("slow:") for m in markers)
    smoke = "\n".join(p.read_text() for p in (ROOT / "tests" / "smoke").glob("test_*.py"))
    assert all(f'"{var}"' in smoke for var in plan.resources["pytest"]["env"] if var.startswith("ASTRID_"))
