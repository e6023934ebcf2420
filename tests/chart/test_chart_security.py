"""What the chart adds to the "restricted" profile: writable mounts only on emptyDirs, a read-only root,
and the sysctl that lets the non-root process bind its port. The profile itself is enforced by the real
PodSecurity admission on the CI cluster (tests/loop/test_security.py)."""

import pytest

from tests.support.chart import render

UNPRIVILEGED_PORT_START = "net.ipv4.ip_unprivileged_port_start"
TMP = "/tmp"  # noqa: S108 - a mount path checked in the manifest, not a file this test creates


def all_containers(spec):
    return [*spec.get("initContainers", []), *spec["containers"]]


@pytest.fixture(params=["prod deployment", "prod test pod", "dev deployment", "dev test pod"])
def pod_spec(request, prod, dev):
    values, which = request.param.split(" ", 1)
    rendered = prod if values == "prod" else dev
    return rendered.pod_spec if which == "deployment" else rendered.test_pod["spec"]


def test_every_writable_mount_is_an_emptydir(pod_spec):
    volumes = {v["name"]: v for v in pod_spec.get("volumes", [])}
    for c in all_containers(pod_spec):
        for mount in c.get("volumeMounts", []):
            if not mount.get("readOnly"):
                assert set(volumes[mount["name"]]) == {"name", "emptyDir"}, (c["name"], mount)


@pytest.mark.parametrize("port", [80, 8080])
@pytest.mark.parametrize("with_dev", [False, True], ids=["prod", "dev"])
def test_non_root_process_may_bind_the_container_port(port, with_dev):
    rendered = render({"api": {"containerPort": port}}, dev=with_dev)
    sysctls = {s["name"]: s["value"] for s in rendered.pod_spec["securityContext"]["sysctls"]}
    assert UNPRIVILEGED_PORT_START in sysctls
    assert int(sysctls[UNPRIVILEGED_PORT_START]) <= rendered.api["ports"][0]["containerPort"] == port


def test_api_root_filesystem_is_read_only_with_tmp_on_an_emptydir(prod):
    assert prod.api["securityContext"]["readOnlyRootFilesystem"] is True
    tmp = [m for m in prod.api["volumeMounts"] if m["mountPath"] == TMP]
    assert len(tmp) == 1
    volume = next(v for v in prod.pod_spec["volumes"] if v["name"] == tmp[0]["name"])
    assert "emptyDir" in volume
