"""scripts/doctor.py: which cluster `tilt up` would deploy to, whether it may, and whether it can."""

import pytest

LOGIN_FIX = "fix: run: doctl registry login"


def test_an_unnamed_remote_context_is_refused_with_the_tiltfiles_fix(sandbox):
    sandbox.env["STUB_CONTEXT"] = "do-nyc1-prod"
    done = sandbox.doctor()
    assert done.returncode == 1
    assert 'kube context "do-nyc1-prod" is not a laptop cluster and is not allowed' in done.stdout
    assert "tilt up -- --allow-context do-nyc1-prod" in done.stdout
    assert "export ASTRID_ALLOW_CONTEXT=do-nyc1-prod" in done.stdout
    assert "kubectl get" not in sandbox.log.read_text(), "nothing is asked of a cluster nobody allowed"


@pytest.mark.parametrize("how", ["tilt_config.json", "env", "args"])
def test_an_allowed_remote_without_docr_login_blocks(sandbox, how):
    sandbox.remote(login={"auths": {"ghcr.io": {}}})
    del sandbox.env["ASTRID_ALLOW_CONTEXT"]
    args = []
    if how == "tilt_config.json":
        sandbox.tilt_config('{"allow-context": ["do-nyc1-astrid"]}')
    elif how == "env":
        sandbox.env["ASTRID_ALLOW_CONTEXT"] = "kind-other,do-nyc1-astrid"
    else:
        args = ["--stream", "--", "--allow-context", "do-nyc1-astrid"]
    done = sandbox.doctor(*args)
    assert done.returncode == 1
    assert "ok    context      do-nyc1-astrid (remote, allowed)" in done.stdout
    assert "FAIL  registry     Docker has no credentials for registry.digitalocean.com" in done.stdout
    assert LOGIN_FIX in done.stdout


@pytest.mark.parametrize(
    "login",
    [
        {"auths": {"registry.digitalocean.com": {"auth": "eA=="}}},
        {"auths": {"https://registry.digitalocean.com": {}}, "credsStore": "desktop"},
        {"credHelpers": {"registry.digitalocean.com": "doctl"}},
    ],
)
def test_an_allowed_remote_with_docr_credentials_is_ready(sandbox, login):
    sandbox.remote(login=login)
    done = sandbox.doctor()
    assert done.returncode == 0, done.output
    assert "ok    registry" in done.stdout
    assert "ok    pull-secret  registry-astrid in default" in done.stdout


def test_a_creds_store_without_a_docr_entry_only_warns(sandbox):
    sandbox.remote(login={"credsStore": "desktop"})
    done = sandbox.doctor()
    assert done.returncode == 0, done.output
    assert "warn  registry     no registry.digitalocean.com entry; credsStore 'desktop'" in done.stdout
    assert "fix: if pushes fail, run: doctl registry login" in done.stdout


def test_a_missing_pull_secret_blocks_with_the_registry_add_fix(sandbox):
    sandbox.remote()
    sandbox.env.update(
        STUB_SECRETS="", ASTRID_REGISTRY="shop", ASTRID_NAMESPACE="astrid", STUB_NAMESPACES="astrid"
    )
    done = sandbox.doctor()
    assert done.returncode == 1
    assert "FAIL  pull-secret  registry-shop missing in astrid" in done.stdout
    assert "fix: run: doctl kubernetes cluster registry add astrid" in done.stdout
    assert sandbox.doctor("--preflight").returncode == 0, "preflight must not need the cluster"


def test_a_missing_namespace_blocks_unless_create_namespace_is_set(sandbox):
    sandbox.tilt_config('{"namespace": "astrid"}')
    done = sandbox.doctor()
    assert done.returncode == 1
    assert "fix: run: kubectl create namespace astrid" in done.stdout
    done = sandbox.doctor("--", "--create-namespace")  # a bare bool flag, as Tilt takes it
    assert done.returncode == 0, done.output
    assert "ok    namespace    astrid will be created (create-namespace)" in done.stdout
    assert sandbox.doctor("--", "--create-namespace=false").returncode == 1


@pytest.mark.parametrize(
    ("env", "line", "fix"),
    [
        (
            {"STUB_CLUSTER_DOWN": "1"},
            "warn  cluster      kind-astrid does not answer",
            "fix: laptop cluster: make cluster",
        ),
        (
            {"STUB_CONTEXT": ""},
            "warn  context      no current kube context",
            "fix: make dev creates the laptop",
        ),
    ],
)
def test_no_cluster_yet_only_warns(sandbox, env, line, fix):
    sandbox.env.update(env)
    done = sandbox.doctor()
    assert done.returncode == 0, done.output
    assert line in done.stdout
    assert fix in done.stdout
