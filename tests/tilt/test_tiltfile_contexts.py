"""The real Tiltfile's cluster safety, registry and settings, per kube context and setting source."""

from __future__ import annotations

import pytest

from tests.tilt.fake_tilt import Plan, run_tiltfile
from tests.tilt.tilt_rules import TiltfileError, TiltfileFailure

DOKS = "do-nyc1-astrid"
OTHER_DOKS = "do-sfo3-prod"
ALLOW_ROUTES = {
    "flag": {"args": ["--allow-context", DOKS]},
    "env": {"env": {"ASTRID_ALLOW_CONTEXT": f"{OTHER_DOKS},{DOKS}"}},
    "tilt_config.json": {"config_json": {"allow-context": [DOKS]}},
}
DEPLOYING = ("default_registry", "docker_build", "helm_resource", "k8s_resource", "local_resource")


def flag_pairs(plan: Plan) -> list[tuple[str, str]]:
    flags = plan.resources["astrid-api"]["flags"]
    return list(zip(flags, flags[1:], strict=False))


@pytest.mark.parametrize("context", ["kind-astrid", "k3d-astrid", "docker-desktop", "minikube", "colima"])
def test_a_laptop_cluster_deploys_without_allowance_or_registry(context):
    plan = run_tiltfile(context)
    assert plan.called("allow_k8s_contexts") == []
    assert plan.called("default_registry") == []
    assert plan.image_ref("astrid-api") == "astrid-api"
    assert "astrid-api" in plan.of_type("k8s")
    assert ("--set-json", "api.imagePullSecrets=[]") in flag_pairs(plan)


def test_an_unnamed_doks_context_stops_with_the_one_fix_and_touches_nothing():
    with pytest.raises(TiltfileFailure) as info:
        run_tiltfile(DOKS)
    message = str(info.value)
    assert f"tilt up -- --allow-context {DOKS}" in message
    assert f'"allow-context": ["{DOKS}"]' in message
    assert f"export ASTRID_ALLOW_CONTEXT={DOKS}" in message
    plan = info.value.plan
    assert len(plan.called("fail")) == 1
    assert plan.called("allow_k8s_contexts") == []
    for name in DEPLOYING:
        assert plan.called(name) == [], name
    assert plan.resources == {}
    assert plan.images == {}


def test_allowing_another_context_does_not_allow_this_one():
    with pytest.raises(TiltfileFailure, match=f"--allow-context {DOKS}"):
        run_tiltfile(DOKS, ["--allow-context", OTHER_DOKS], {"ASTRID_ALLOW_CONTEXT": OTHER_DOKS})


@pytest.mark.parametrize("route", ALLOW_ROUTES)
def test_a_named_doks_context_is_allowed_alone_and_uses_docr(route):
    plan = run_tiltfile(DOKS, **ALLOW_ROUTES[route])
    assert plan.called("allow_k8s_contexts") == [{"contexts": DOKS}]
    assert plan.allowed_contexts == [DOKS]
    assert plan.one("default_registry") == {
        "host": "registry.digitalocean.com/astrid",
        "host_from_cluster": None,
        "single_name": "",
    }
    assert "astrid-api" in plan.of_type("k8s")


@pytest.mark.parametrize(
    ("args", "env", "config", "name"),
    [
        ([], {}, None, "astrid"),
        (["--registry", "acme"], {}, None, "acme"),
        (["--registry=acme"], {"ASTRID_REGISTRY": "shop"}, None, "acme"),
        ([], {"ASTRID_REGISTRY": "shop"}, None, "shop"),
        ([], {"ASTRID_REGISTRY": ""}, None, "astrid"),  # empty counts as unset
        ([], {"ASTRID_REGISTRY": "shop"}, {"registry": "team"}, "team"),
        (["--registry", "acme"], {}, {"registry": "team"}, "acme"),
    ],
)
def test_registry_name_picks_docr_and_the_pull_secret(args, env, config, name):
    plan = run_tiltfile(DOKS, ["--allow-context", DOKS, *args], env, config)
    assert plan.registry == f"registry.digitalocean.com/{name}"
    assert ("--set", f"api.imagePullSecrets[0].name=registry-{name}") in flag_pairs(plan)
    assert f"api.image.repository=registry.digitalocean.com/{name}/astrid-api" in plan.helm_command(
        "astrid-api"
    )


def test_the_default_registry_name_is_documented():
    (registry,) = [c for c in run_tiltfile().called("config.define_string") if c["name"] == "registry"]
    assert "(default: astrid)" in registry["usage"]


def test_a_laptop_cluster_ignores_the_registry_setting():
    plan = run_tiltfile("kind-astrid", ["--registry", "acme"])
    assert plan.called("default_registry") == []
    assert not any("registry-acme" in flag for flag in plan.resources["astrid-api"]["flags"])
    assert "api.image.repository=astrid-api" in plan.helm_command("astrid-api")


@pytest.mark.parametrize(
    "run",
    [
        {"context": "kind-astrid", "args": ["--allow-context", DOKS]},
        {"context": DOKS, "args": ["--allow-context", DOKS, "--allow-context", OTHER_DOKS]},
        {"context": DOKS, "env": {"ASTRID_ALLOW_CONTEXT": f"{OTHER_DOKS},{DOKS},kind-x"}},
    ],
)
def test_only_the_current_named_context_is_ever_allowed(run):
    plan = run_tiltfile(**run)
    allowed = [c["contexts"] for c in plan.called("allow_k8s_contexts")]
    assert allowed in ([], [plan.context])
    assert plan.context.startswith("kind-") == (allowed == [])


def test_tilts_own_guard_still_stops_a_remote_cluster_behind_a_laptop_like_context_name():
    # Tilt decides "local" by the kubeconfig cluster name; the Tiltfile must not allow it away.
    with pytest.raises(TiltfileError, match="might be production"):
        run_tiltfile("kind-astrid", cluster="do-nyc1-astrid")


def test_an_unknown_setting_in_tilt_config_json_is_an_error():
    with pytest.raises(TiltfileError, match="unknown setting name 'registy'"):
        run_tiltfile(config_json={"registy": "acme"})


def test_an_unknown_tilt_up_argument_is_an_error():
    with pytest.raises(TiltfileError, match="flag provided but not defined: -regsitry"):
        run_tiltfile(args=["--regsitry", "acme"])
