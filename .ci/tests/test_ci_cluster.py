"""CI's cluster is CI's: it starts only where it is told it owns the machine, its state and etcd are
root's alone, and outside CI its base-image stand-in never takes an upstream image's name."""

import socket
import ssl
import stat
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.loop.conftest import run

pytestmark = [pytest.mark.slow, pytest.mark.cluster]
CLUSTER = ROOT / ".ci" / "cluster.sh"
BASE = "python:3.11-slim"


@pytest.fixture
def state(env) -> Path:
    """The cluster's state directory: the one holding its admin kubeconfig (pki/admin.kubeconfig)."""
    return Path(env["KUBECONFIG"]).parents[1]


def outside_ci(env) -> dict[str, str]:
    return {k: v for k, v in env.items() if k not in ("CI", "ASTRID_REQUIRE_ENGINES")}


def test_it_refuses_to_start_unless_told_it_owns_the_machine(env):
    refused = run(outside_ci(env), "bash", str(CLUSTER), "up", check=False, timeout=60)
    assert refused.returncode != 0
    assert "CI's cluster starts only on a machine it owns (CI=true, or:" in refused.stderr
    assert "up --owns-machine)" in refused.stderr
    assert "make cluster" in refused.stderr  # what a developer runs instead
    run(env, "kubectl", "get", "--raw", "/readyz")  # the running cluster is untouched


def test_its_state_and_keys_are_readable_by_root_only(state):
    assert stat.S_IMODE(state.stat().st_mode) & 0o077 == 0
    keys = [*state.joinpath("pki").iterdir()]
    assert any(p.name == "admin.kubeconfig" for p in keys)
    for path in keys:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_etcd_answers_only_clients_holding_the_clusters_certificate(state):
    pki = state / "pki"

    def version(context: ssl.SSLContext | None) -> bytes:
        with socket.create_connection(("127.0.0.1", 2379), timeout=5) as raw:
            sock = context.wrap_socket(raw, server_hostname="127.0.0.1") if context else raw
            with sock:
                sock.sendall(b"GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                return sock.recv(4096)

    def tls(cert: bool) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
        if cert:
            context.load_cert_chain(pki / "admin.crt", pki / "admin.key")
        return context

    assert b'"etcdserver"' in version(tls(cert=True))  # the endpoint is there for the API server
    with pytest.raises((ssl.SSLError, ConnectionError)):
        version(tls(cert=False))
    assert not version(None).startswith(b"HTTP/1.1 200")  # plain HTTP gets etcd's TLS server's 400


def test_outside_ci_the_base_stand_in_keeps_its_own_name(env):
    """images.sh tags the stand-in python:3.11-slim for Tilt's build in CI only; elsewhere a later
    release would ship it as the upstream image."""
    image_id = run(env, "docker", "image", "inspect", "-f", "{{.Id}}", BASE).stdout.strip()
    address = "/run/astrid-containerd/containerd.sock"
    images = run(env, "ctr", "--address", address, "-n", "k8s.io", "images", "ls", "-q").stdout.split()
    coredns = next(i for i in images if i.startswith("astrid.local/coredns:"))
    bin_dir = run(env, "bash", str(CLUSTER), "tools").stdout.strip()
    run(env, "docker", "rmi", BASE)
    try:
        run(outside_ci(env), "bash", str(ROOT / ".ci" / "cluster" / "images.sh"), address, bin_dir, coredns)
        absent = subprocess.run(["docker", "image", "inspect", BASE], capture_output=True, env=env)
        assert absent.returncode != 0, f"{BASE} was tagged outside CI"
    finally:
        run(env, "docker", "tag", image_id, BASE)
