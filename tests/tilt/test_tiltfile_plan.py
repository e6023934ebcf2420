"""What the real Tiltfile builds, deploys and runs: image, live update, helm_resource, local resources."""

from __future__ import annotations

import pytest

from tests.tilt.fake_tilt import run_tiltfile
from tests.tilt.tilt_rules import Link, Step, TiltfileError

DOKS = "do-nyc1-astrid"
HEALTH = "http://localhost:8080/health"


@pytest.fixture(scope="module")
def plan():
    return run_tiltfile("kind-astrid")


def test_one_image_built_from_dockerfile_api_with_only_what_it_needs(plan):
    build = plan.one("docker_build")
    assert (build["ref"], build["context"], build["dockerfile"]) == ("astrid-api", ".", "Dockerfile.api")
    assert build["dockerfile_contents"] == ""
    assert sorted(build["only"]) == ["requirements.txt", "src/"]
    assert list(plan.images) == ["astrid-api"]


def test_live_update_falls_back_on_dependencies_and_syncs_the_source(plan):
    assert plan.images["astrid-api"]["live_update"] == [
        Step("fall_back_on", ("requirements.txt", "Dockerfile.api")),
        Step("sync", ("src/api", "/app/src/api")),
    ]
    # uvicorn --reload picks changes up: no run() and no restart_container() steps.
    assert plan.called("run") == []
    assert plan.called("restart_container") == []


def test_helm_resource_installs_release_astrid_with_the_dev_values(plan):
    helm = plan.one("helm_resource")
    assert (helm["name"], helm["chart"], helm["release_name"]) == ("astrid-api", "helm/astrid", "astrid")
    assert helm["deps"] == ["helm/astrid"]
    assert helm["flags"][:2] == ["--values", "helm/astrid/values-dev.yaml"]
    assert helm["labels"] == ["api"]


def test_image_keys_are_one_repo_and_tag_tuple(plan):
    resource = plan.resources["astrid-api"]
    assert resource["image_deps"] == ["astrid-api"]
    assert resource["image_env"] == {
        "TILT_IMAGE_COUNT": "1",
        "TILT_IMAGE_KEY_COUNT_0": "1",
        "TILT_IMAGE_KEY_REPO_0_0": "api.image.repository",
        "TILT_IMAGE_KEY_TAG_0_0": "api.image.tag",
    }


def test_helm_command_sets_the_built_image_after_the_values_file(plan):
    cmd = plan.helm_command("astrid-api", tag="tilt-abc")
    assert cmd[:5] == ["helm", "--kube-context", "kind-astrid", "upgrade", "--install"]
    assert cmd[-2:] == ["astrid", "helm/astrid"]
    assert cmd.index("helm/astrid/values-dev.yaml") < cmd.index("api.image.tag=tilt-abc")
    assert "api.image.repository=astrid-api" in cmd


def test_forwarded_port_link_and_labels_reach_the_resource(plan):
    helm = plan.one("helm_resource")
    assert helm["port_forwards"] == ["8080:80"]
    assert helm["links"] == [Link(HEALTH, "health")]
    calls = plan.called("k8s_resource")
    keys = ("labels", "port_forwards", "links", "resource_deps", "pod_readiness")
    passed = {key: call[key] for call in calls for key in keys if call[key]}
    assert all(call["auto_init"] and call["workload"] == "astrid-api" for call in calls)
    assert passed == {"labels": ["api"], "port_forwards": ["8080:80"], "links": [Link(HEALTH, "health")]}


@pytest.mark.parametrize(
    "source",
    [{"args": ["--port", "9000"]}, {"env": {"ASTRID_PORT": "9000"}}, {"config_json": {"port": "9000"}}],
)
def test_port_setting_moves_forward_link_and_checks_together(source):
    plan = run_tiltfile("kind-astrid", **source)
    url = "http://localhost:9000/health"
    assert plan.one("helm_resource")["port_forwards"] == ["9000:80"]
    assert plan.one("helm_resource")["links"] == [Link(url, "health")]
    assert plan.resources["health"]["cmd"][-1] == url
    assert plan.resources["pytest"]["env"]["ASTRID_SMOKE_URL"] == url


def test_namespace_is_the_contexts_unless_asked(plan):
    assert plan.one("helm_resource")["namespace"] is None
    cmd = plan.helm_command("astrid-api")
    assert "--namespace" not in cmd
    assert "--create-namespace" not in cmd


@pytest.mark.parametrize(
    ("source", "created"),
    [
        ({"args": ["--namespace", "dev"]}, False),
        ({"env": {"ASTRID_NAMESPACE": "dev"}}, False),
        ({"args": ["--namespace", "dev", "--create-namespace"]}, True),
        ({"args": ["--namespace=dev", "--create-namespace=false"]}, False),
        ({"config_json": {"namespace": "dev", "create-namespace": True}}, True),
    ],
)
def test_namespace_setting_and_create_namespace_only_when_asked(source, created):
    plan = run_tiltfile("kind-astrid", **source)
    assert plan.one("helm_resource")["namespace"] == "dev"
    cmd = plan.helm_command("astrid-api")
    assert cmd[cmd.index("--namespace") + 1] == "dev"
    assert ("--create-namespace" in cmd) == created


def test_create_namespace_without_a_namespace_does_nothing():
    assert "--create-namespace" not in run_tiltfile(args=["--create-namespace"]).helm_command("astrid-api")


def test_local_resources_and_their_order(plan):
    assert list(plan.resources) == ["astrid-api", "health", "venv", "pytest"]
    assert set(plan.of_type("local")) == {"health", "venv", "pytest"}


def test_health_checks_the_forwarded_url_after_the_deploy(plan):
    health = plan.resources["health"]
    assert health["cmd"] == ["python3", "scripts/check_health.py", HEALTH]
    assert health["deps"] == ["src/api"]
    assert health["resource_deps"] == ["astrid-api"]
    assert health["labels"] == ["api"]


def test_venv_follows_the_pinned_requirements(plan):
    venv = plan.resources["venv"]
    assert venv["cmd"] == ["sh", "scripts/venv.sh"]
    assert set(venv["deps"]) == {"requirements.txt", "requirements-dev.txt", "scripts/venv.sh"}
    assert venv["resource_deps"] == []


def test_pytest_runs_the_fast_suite_against_the_forwarded_service(plan):
    pytest_resource = plan.resources["pytest"]
    cmd = pytest_resource["cmd"]
    assert cmd[:3] == [".venv/bin/python", "-m", "pytest"]
    assert cmd[cmd.index("-m", 3) + 1] == "not slow"
    assert pytest_resource["env"]["ASTRID_SMOKE_URL"] == HEALTH
    assert pytest_resource["resource_deps"] == ["venv", "astrid-api"]
    assert set(pytest_resource["deps"]) == {"src", "tests"}
    assert pytest_resource["labels"] == ["tests"]


def test_the_same_plan_on_doks_except_registry_pull_secret_and_platform():
    local, remote = run_tiltfile("kind-astrid"), run_tiltfile(DOKS, ["--allow-context", DOKS])
    assert local.images["astrid-api"]["platform"] == ""  # native: the laptop runs what it builds
    assert remote.images["astrid-api"]["platform"] == "linux/amd64"  # DOKS nodes are amd64
    assert {**local.images["astrid-api"], "platform": "x"} == {**remote.images["astrid-api"], "platform": "x"}
    assert local.of_type("local") == remote.of_type("local")
    drop = ("flags",)
    assert {k: v for k, v in local.resources["astrid-api"].items() if k not in drop} == {
        k: v for k, v in remote.resources["astrid-api"].items() if k not in drop
    }


def test_version_constraint_is_checked():
    assert run_tiltfile(tilt_version="0.33.0").one("version_settings")["constraint"] == ">=0.33.0"
    with pytest.raises(TiltfileError, match="you are running Tilt 0.32.9"):
        run_tiltfile(tilt_version="0.32.9")
