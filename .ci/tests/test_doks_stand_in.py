"""The DOKS stand-in gives registry.digitalocean.com to dockerd and containerd only, each in a mount
namespace of its own: the host's /etc/hosts is never changed."""

from pathlib import Path

NAME = "registry.digitalocean.com"


def test_only_dockerd_and_containerd_see_the_registrys_name(env):
    state = Path(env["KUBECONFIG"]).parents[1]
    assert NAME not in Path("/etc/hosts").read_text()
    dockerd = Path("/var/run/astrid-ci-dockerd.pid").read_text().strip()
    containerd = (state / "run" / "containerd.pid").read_text().strip()
    assert f"127.0.0.2 {NAME}" in Path(f"/proc/{dockerd}/root/etc/hosts").read_text()  # via toxiproxy
    assert f"127.0.0.3 {NAME}" in Path(f"/proc/{containerd}/root/etc/hosts").read_text()  # direct
