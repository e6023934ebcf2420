"""scripts/doctor.py: which cluster `tilt up` would deploy to (as Tilt says), whether it may, and can."""

import pytest

REFUSAL = (
    'Error in fail: kube context "do-fra1-prod" is refused by the Tiltfile (its words, whatever they are)'
)


def test_a_context_tilt_refuses_prints_tilts_words_and_offers_the_laptop_cluster_first(sandbox):
    sandbox.remote("do-fra1-prod")
    sandbox.refuse("do-fra1-prod", REFUSAL)
    done = sandbox.doctor()
    assert done.returncode == 1
    assert f"FAIL  context      Tilt stops on do-fra1-prod: {REFUSAL}\n" in done.stdout
    fix = "fix: use the laptop cluster: make cluster (or: kubectl config use-context kind-astrid); "
    assert fix + "to deploy to do-fra1-prod after all, do what Tilt says\n" in done.stdout
    assert sandbox.calls("kubectl get", "docker login") == [], "nothing is asked of a cluster Tilt refused"
    assert f"ok    port         127.0.0.1:{sandbox.port} is free" in done.stdout, "ports: as on the laptop"


def test_an_allowed_doks_context_is_ready_when_login_namespace_and_pull_secret_are(sandbox):
    sandbox.remote("do-nyc1-astrid")
    assert sandbox.ready() >= {
        "context      do-nyc1-astrid (Tilt pushes to registry.digitalocean.com/astrid)",
        "registry     Docker is logged in to registry.digitalocean.com",
        "namespace    default exists",
        "pull-secret  registry-astrid in default",
    }
    assert sandbox.calls("docker login") == ["docker login registry.digitalocean.com"]


def test_a_missing_or_expired_docr_login_blocks_with_the_login_fix(sandbox):
    sandbox.remote()
    sandbox.env["STUB_DOCKER_LOGIN_EXPIRED"] = "1"
    done = sandbox.doctor()
    assert done.returncode == 1
    line = "FAIL  registry     Docker's login to registry.digitalocean.com is missing or expired: "
    assert line + "Error response from daemon: denied\n" in done.stdout
    assert "fix: run: doctl registry login\n" in done.stdout


def test_the_namespace_and_pull_secret_are_the_ones_tilt_would_use(sandbox):
    helm = ["--set", "api.imagePullSecrets[0].name=registry-shop"]
    sandbox.plan("do-nyc1-astrid", "registry.digitalocean.com/shop", helm, namespace="team-a")
    sandbox.env.update(
        STUB_CONTEXT="do-nyc1-astrid", STUB_NAMESPACES="team-a", STUB_SECRETS="registry-astrid"
    )
    done = sandbox.doctor()
    assert done.returncode == 1
    assert "ok    namespace    team-a exists" in done.stdout
    assert "FAIL  pull-secret  registry-shop missing in team-a" in done.stdout
    assert "fix: run: doctl kubernetes cluster registry add astrid" in done.stdout


def test_without_a_namespace_from_tilt_the_contexts_own_is_checked(sandbox):
    sandbox.env.update(STUB_CONTEXT_NAMESPACE="mine", STUB_NAMESPACES="default")
    done = sandbox.doctor()
    assert done.returncode == 1
    assert "FAIL  namespace    mine does not exist" in done.stdout
    assert "fix: run: kubectl create namespace mine" in done.stdout


def test_a_missing_namespace_is_fine_when_tilts_helm_flags_create_it(sandbox):
    sandbox.plan("kind-astrid", helm_args=["--create-namespace"], namespace="team-a")
    done = sandbox.doctor()
    assert done.returncode == 0, done.output
    assert "ok    namespace    team-a will be created (helm --create-namespace)" in done.stdout


@pytest.mark.parametrize(
    ("remote", "line", "fix"),
    [
        (
            False,
            "warn  cluster      kind-astrid does not answer",
            "fix: make dev creates or starts kind-astrid",
        ),
        (True, "FAIL  cluster      do-nyc1-astrid does not answer", "fix: check VPN and credentials"),
    ],
)
def test_a_cluster_that_does_not_answer_warns_on_the_laptop_and_blocks_when_remote(
    sandbox, remote, line, fix
):
    if remote:
        sandbox.remote()
    sandbox.env["STUB_CLUSTER_DOWN"] = "1"
    done = sandbox.doctor()
    assert done.returncode == remote
    assert line + ": Unable to connect to the server: dial tcp" in done.stdout, "kubectl's last line, why"
    assert fix in done.stdout


def test_no_context_yet_only_warns_and_tilt_still_checks_the_settings_on_the_laptop_cluster(sandbox):
    sandbox.env["STUB_CONTEXT"] = ""
    done = sandbox.doctor("--stream", "--", "--registry", "shop")
    assert done.returncode == 0, done.output
    assert "warn  context      no current kube context\n" in done.stdout
    assert "fix: make dev creates or starts kind-astrid (or: make cluster)" in done.stdout
    tiltfile = sandbox.root / "Tiltfile"
    expected = f"tilt alpha tiltfile-result -f {tiltfile} --context kind-astrid -- --registry shop"
    assert sandbox.calls("tilt alpha") == [expected], "the settings after `--` go to Tilt unchanged"


@pytest.mark.parametrize(
    ("context", "start"),
    [
        ("docker-desktop", "start Docker Desktop with Kubernetes enabled"),
        ("minikube", "minikube start;"),
        ("k3d-mine", "k3d cluster start mine;"),
        ("kind-other", "docker start other-control-plane"),
    ],
)
def test_another_laptop_cluster_that_does_not_answer_blocks_with_how_to_start_it(sandbox, context, start):
    sandbox.plan(context)
    sandbox.env.update(STUB_CONTEXT=context, STUB_CLUSTER_DOWN="1")
    done = sandbox.doctor()
    assert done.returncode == 1, done.output
    line = f"FAIL  cluster      {context} does not answer: Unable to connect to the server: dial tcp"
    assert line in done.stdout
    assert f"fix: start it: {start}" in done.stdout
    assert (
        "or use the laptop cluster: make cluster (or: kubectl config use-context kind-astrid)" in done.stdout
    )
    assert "make dev creates or starts" not in done.stdout, "make dev leaves any other context as it is"


def test_a_new_namespace_on_doks_warns_of_the_first_pull_before_the_pull_secret_is_copied_in(sandbox):
    sandbox.remote()
    sandbox.env["STUB_SECRETS"] = "registry-astrid"
    helm = ["--set", "api.imagePullSecrets[0].name=registry-astrid", "--create-namespace"]
    sandbox.plan("do-nyc1-astrid", "registry.digitalocean.com/astrid", helm, namespace="astrid-me")
    done = sandbox.doctor()
    assert done.returncode == 0, done.output
    created = "ok    namespace    astrid-me will be created (helm --create-namespace)\n"
    note = "note: the first pod may show ImagePullBackOff until registry-astrid appears in astrid-me;"
    assert created + " " * 18 + note in done.stdout
    # The registry integration puts its secret in every namespace: the doctor looks in default.
    assert sandbox.calls("kubectl get secret") == [
        "kubectl get secret registry-astrid -n default --request-timeout=5s"
    ]
    assert "ok    pull-secret  registry-astrid in default" in done.stdout


def test_a_new_namespace_on_doks_without_the_registry_integration_fails_with_its_fix(sandbox):
    sandbox.remote()
    sandbox.env["STUB_SECRETS"] = ""
    helm = ["--set", "api.imagePullSecrets[0].name=registry-astrid", "--create-namespace"]
    sandbox.plan("do-nyc1-astrid", "registry.digitalocean.com/astrid", helm, namespace="astrid-me")
    done = sandbox.doctor()
    assert done.returncode == 1, done.output
    assert "FAIL  pull-secret  registry-astrid missing in default" in done.stdout
    assert "fix: run: doctl kubernetes cluster registry add astrid" in done.stdout
