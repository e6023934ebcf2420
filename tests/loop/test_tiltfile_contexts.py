"""What the Tiltfile plans for contexts CI cannot reach (DigitalOcean), read from the real Tilt:
`tilt alpha tiltfile-result` runs the Tiltfile against a kubeconfig whose servers answer nothing."""

import json

import pytest

from tests.conftest import ROOT
from tests.loop.conftest import run

pytestmark = pytest.mark.slow
DOKS = "do-nyc1-astrid"


@pytest.fixture
def plan(env, tmp_path):
    """plan(context, *tilt_args) -> (exit code, result JSON or stderr)."""
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": DOKS,
                "clusters": [
                    {"name": c, "cluster": {"server": "https://127.0.0.1:9"}} for c in (DOKS, "kind-astrid")
                ],
                "users": [{"name": "u", "user": {"token": "none"}}],
                "contexts": [
                    {"name": c, "context": {"cluster": c, "user": "u"}} for c in (DOKS, "kind-astrid")
                ],
            }
        )
    )

    def plan(context, *args, environment=None):
        result = run(
            {**env, "KUBECONFIG": str(kubeconfig), "USER": "jane", **(environment or {})},
            "tilt",
            "alpha",
            "tiltfile-result",
            "--context",
            context,
            "--",
            *args,
            cwd=ROOT,
            check=False,
            timeout=60,
        )
        return result.returncode, (json.loads(result.stdout) if result.returncode == 0 else result.stderr)

    return plan


def api(result) -> dict:
    manifest = next(m for m in result["Manifests"] if m["Name"] == "astrid-api")
    apply = manifest["DeployTarget"]["applyCmd"]
    return {
        "registry": (result["DefaultRegistry"] or {}).get("host", ""),
        "platform": manifest["ImageTargets"][0]["BuildDetails"].get("platform", ""),
        "helm": apply["args"][2:],
        "namespace": next((e[10:] for e in apply["env"] if e.startswith("NAMESPACE=")), ""),
    }


def test_an_unnamed_remote_context_is_refused_before_anything_runs(plan):
    code, stderr = plan(DOKS)
    assert code == 5
    assert f'kube context "{DOKS}" is not a laptop cluster and is not allowed' in stderr
    assert f"tilt up -- --allow-context {DOKS}" in stderr


@pytest.mark.parametrize(("args", "registry"), [((), "astrid"), (("--registry", "acme-team"), "acme-team")])
def test_an_allowed_doks_context_pushes_to_docr_for_amd64_with_the_pull_secret(plan, args, registry):
    code, result = plan(DOKS, "--allow-context", DOKS, *args)
    assert code == 0, result
    assert api(result) == {
        "registry": f"registry.digitalocean.com/{registry}",
        "platform": "linux/amd64",
        "helm": [
            "--values",
            "helm/astrid/values-dev.yaml",
            "--set",
            f"api.imagePullSecrets[0].name=registry-{registry}",
            "--create-namespace",
        ],
        "namespace": "astrid-jane",  # a namespace of the developer's own on a shared cluster
    }


@pytest.mark.parametrize(
    ("user", "args", "namespace", "creates"),
    [
        ({"USER": "Jane.Doe"}, (), "astrid-jane-doe", True),  # a valid DNS label
        ({"USER": "", "USERNAME": "WinUser"}, (), "astrid-winuser", True),  # Windows
        ({"USER": "jane"}, ("--namespace", "team-a"), "team-a", False),  # a set namespace is used as it is
        ({"USER": "jane"}, ("--namespace", "team-a", "--create-namespace"), "team-a", True),
        ({"USER": "jane"}, ("--create-namespace=false",), "astrid-jane", False),  # an admin made it
    ],
)
def test_the_namespace_on_a_remote_context(plan, user, args, namespace, creates):
    code, result = plan(DOKS, "--allow-context", DOKS, *args, environment=user)
    assert code == 0, result
    assert api(result)["namespace"] == namespace
    assert ("--create-namespace" in api(result)["helm"]) is creates


def test_no_user_name_and_no_namespace_is_one_clear_error(plan):
    code, stderr = plan(DOKS, "--allow-context", DOKS, environment={"USER": "", "USERNAME": ""})
    assert code == 5
    assert "no user name to derive your namespace from: set one with tilt up -- --namespace NAME" in stderr


def test_settings_come_from_tilts_config_only_not_the_environment(plan):
    code, stderr = plan(DOKS, environment={"ASTRID_ALLOW_CONTEXT": DOKS, "ASTRID_REGISTRY": "acme-team"})
    assert code == 5 and "is not allowed" in stderr


def test_a_laptop_context_uses_its_own_registry_and_no_pull_secret(plan):
    code, result = plan("kind-astrid")
    assert code == 0, result
    assert api(result) == {
        "registry": "",
        "platform": "",
        "helm": ["--values", "helm/astrid/values-dev.yaml", "--set-json", "api.imagePullSecrets=[]"],
        "namespace": "",  # the context's own
    }


def test_the_renamed_port_setting_stops_with_its_new_name(plan):
    code, stderr = plan("kind-astrid", "--port", "9090")
    assert code == 5
    assert 'the "port" setting is now "api-port"' in stderr
