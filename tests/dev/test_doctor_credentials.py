"""scripts/doctor.py on a DOKS context whose credentials come from doctl, with the real kubectl and Tilt.

`doctl kubernetes cluster kubeconfig save` writes a user that runs doctl for a token (doctl's
commands/kubernetes.go): command doctl, args `kubernetes cluster kubeconfig exec-credential
--version=v1beta1 --context=<doctl auth context> <cluster id>`. doctl cannot run here (it needs
api.digitalocean.com), so a stub in its place prints doctl's own errors and exits 1, as doctl does."""

import shlex

import pytest

from tests.dev.real_engines import real_engine

pytestmark = pytest.mark.slow
CLUSTER_ID = "3f1c2e9a-5b7d-4e8f-9a0b-1c2d3e4f5a6b"
EXEC_ARGS = ["kubernetes", "cluster", "kubeconfig", "exec-credential", "--version=v1beta1"]
DOCTL_USER = {
    "exec": {
        "apiVersion": "client.authentication.k8s.io/v1beta1",
        "command": "doctl",
        "args": [*EXEC_ARGS, "--context=team-a", CLUSTER_ID],
    }
}
# doctl prints `Error: <err>` on stderr and exits 1 (commands/errors.go checkErr).
EXPIRED = f'Error: Failed to fetch credentials for cluster "{CLUSTER_ID}": Unable to authenticate you'
# ^ RunKubernetesKubeconfigExecCredential wraps the API's message; DigitalOcean's 401 body says
#   {"id": "Unauthorized", "message": "Unable to authenticate you"}.
MISSING_LOGIN = (  # NewCmdConfig (commands/command_config.go) around GetGodoClient (doit.go)
    "Error: Unable to initialize DigitalOcean API client: access token is required. "
    "(hint: run 'doctl auth init')"
)
DOCTL_FIX = (
    "fix: doctl auth init --context team-a (a valid token; this kubeconfig runs doctl with --context=team-a)"
)


@pytest.fixture
def doks(sandbox, tilt):
    """The current context is do-nyc1-astrid, its user the doctl exec plugin; kubectl is the real one."""
    sandbox.remove("kubectl")
    (sandbox.bin / "kubectl").symlink_to(real_engine("kubectl"))
    tilt("do-nyc1-astrid", DOCTL_USER)

    def doctl(error: str) -> None:
        said = f'echo "doctl $*" >> "$STUB_LOG"; printf "%s\\n" {shlex.quote(error)} >&2; exit 1'
        (sandbox.bin / "doctl").write_text(f"#!/bin/sh\n{said}\n")
        (sandbox.bin / "doctl").chmod(0o755)

    return doctl


SETTINGS = ["--", "--allow-context", "do-nyc1-astrid", "--namespace", "team-a"]


@pytest.mark.parametrize("error", [EXPIRED, MISSING_LOGIN])
def test_doctl_without_a_valid_token_names_doctl_and_its_fix(sandbox, doks, error):
    doks(error)
    done = sandbox.doctor(*SETTINGS)
    assert done.returncode == 1, done.output
    assert f"FAIL  credentials  doctl cannot give do-nyc1-astrid's credentials: {error}\n" in done.stdout
    assert DOCTL_FIX in done.stdout
    assert "doctl auth switch --context <team>" in done.stdout
    assert "VPN" not in done.stdout and "Traceback" not in done.output
    called = f"doctl {' '.join(EXEC_ARGS)} --context=team-a {CLUSTER_ID}"
    assert called in sandbox.calls("doctl"), "kubectl ran the exec plugin as doctl wrote it"


def test_doctl_missing_from_path_says_install_doctl_and_make_dev_stops(sandbox, doks):
    done = sandbox.doctor(*SETTINGS)  # no doctl in the sandbox's PATH
    assert done.returncode == 1, done.output
    assert (
        "FAIL  credentials  do-nyc1-astrid gets its credentials from doctl, which is not on PATH\n"
        in done.stdout
    )
    assert (
        "fix: install doctl (https://docs.digitalocean.com/reference/doctl/how-to/install/) on PATH"
        in done.stdout
    )
    assert "VPN" not in done.stdout and "Traceback" not in done.output
    done = sandbox.dev(*SETTINGS)
    assert done.returncode == 1, done.output
    assert sandbox.calls() == [], "no tilt up against a cluster kubectl cannot log in to"


def test_doctl_that_cannot_reach_the_api_says_network_first(sandbox, doks):
    # A Go net error, as godo's client returns it through exec-credential (not an API ErrorResponse).
    url = f"https://api.digitalocean.com/v2/kubernetes/clusters/{CLUSTER_ID}/credentials"
    doks(f'Error: Get "{url}": dial tcp: lookup api.digitalocean.com: no such host')
    done = sandbox.doctor(*SETTINGS)
    assert done.returncode == 1, done.output
    assert "FAIL  credentials  doctl cannot give do-nyc1-astrid's credentials: Error: Get " in done.stdout
    assert (
        "fix: check the network to api.digitalocean.com (VPN, proxy); if it persists: doctl auth init"
        in done.stdout
    )
