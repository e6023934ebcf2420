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
            {**env, "KUBECONFIG": str(kubeconfig), **git_email("jane@astrid.example"), **(environment or {})},
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


def git_email(email: str) -> dict[str, str]:
    """git's user.email as the Tiltfile's `git config user.email` reads it, above every config file."""
    return {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "user.email", "GIT_CONFIG_VALUE_0": email}


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
        "namespace": "astrid-jane-astrid-example",  # a namespace of the developer's own on a shared cluster
    }


@pytest.mark.parametrize(
    ("email", "args", "namespace", "creates"),
    [
        ("Jane.Doe@Acme.io", (), "astrid-jane-doe-acme-io", True),  # a valid DNS label
        ("12345+jane@users.noreply.github.com", (), "astrid-12345-jane-users-noreply-github-com", True),
        ("José@Acme.io", (), "astrid-jos---acme-io", True),  # a DNS label: ASCII only (é is two bytes)
        ("jane@astrid.example", ("--namespace", "team-a"), "team-a", False),  # used as it is
        ("jane@astrid.example", ("--namespace", "team-a", "--create-namespace"), "team-a", True),
        ("jane@astrid.example", ("--create-namespace=false",), "astrid-jane-astrid-example", False),  # exists
        ("", ("--namespace", "team-a"), "team-a", False),  # no email needed when the namespace is set
    ],
)
def test_the_namespace_on_a_remote_context(plan, email, args, namespace, creates):
    code, result = plan(DOKS, "--allow-context", DOKS, *args, environment=git_email(email))
    assert code == 0, result
    assert api(result)["namespace"] == namespace
    assert ("--create-namespace" in api(result)["helm"]) is creates


def test_two_people_with_one_user_name_get_two_namespaces(plan):
    """Devcontainers run as vscode, node or root: the namespace follows the person, not the login."""
    namespaces = set()
    for email in ("ana@astrid.example", "bo@astrid.example"):
        code, result = plan(DOKS, "--allow-context", DOKS, environment={"USER": "vscode", **git_email(email)})
        assert code == 0, result
        namespaces.add(api(result)["namespace"])
    assert namespaces == {"astrid-ana-astrid-example", "astrid-bo-astrid-example"}


@pytest.mark.parametrize("email", ["", "root@localhost", "vscode@example.com", "codespace@x.io", "node@x"])
def test_an_empty_or_shared_email_is_one_clear_error(plan, email):
    code, stderr = plan(DOKS, "--allow-context", DOKS, environment={"USER": "jane", **git_email(email)})
    assert code == 5
    (line,) = [line for line in stderr.splitlines() if line.startswith("Error in fail: ")]
    assert f'comes from git\'s user.email, which is "{email.lower()}"' in line
    assert line.endswith("tilt up -- --namespace astrid-<you>")


@pytest.mark.laptop  # needs a cluster that announces its registry: a DOKS one announces none
def test_a_cluster_announcing_a_local_registry_is_not_local_by_that(env, tmp_path):
    """Only the context's name makes a laptop cluster: CI's cluster publishes KEP-1755's
    local-registry-hosting like any ctlptl cluster, yet reached under another name it is refused."""
    config = json.loads(run(env, "kubectl", "config", "view", "--raw", "-o", "json").stdout)
    config["contexts"][0]["name"] = config["current-context"] = "shared-team-cluster"
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(json.dumps(config))
    other = {**env, "KUBECONFIG": str(kubeconfig)}
    announced = run(other, "kubectl", "-n", "kube-public", "get", "configmap", "-o", "name").stdout
    assert "configmap/local-registry-hosting" in announced
    result = run(
        other,
        *("tilt", "alpha", "tiltfile-result", "--context", "shared-team-cluster"),
        cwd=ROOT,
        check=False,
        timeout=60,
    )
    assert result.returncode == 5
    assert 'kube context "shared-team-cluster" is not a laptop cluster and is not allowed' in result.stderr


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
