"""Every pod the chart creates meets the Pod Security Standard "restricted" profile."""

import copy

import pytest

# Baseline "safe" sysctls (restricted inherits them), as of Kubernetes 1.32.
SAFE_SYSCTLS = {
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
}
# Volume types "restricted" allows (hostPath and the other node-bound types are not among them).
RESTRICTED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim"}
RESTRICTED_VOLUMES |= {"projected", "secret"}
UNPRIVILEGED_PORT_START = "net.ipv4.ip_unprivileged_port_start"
TMP = "/tmp"  # noqa: S108 - a mount path checked in the manifest, not a file this test creates


def all_containers(spec):
    return [*spec.get("initContainers", []), *spec["containers"]]


def restricted_violations(spec):
    """Every "restricted" check, plus no service account token; returns what fails."""
    bad = []
    pod_sc = spec.get("securityContext", {})
    if spec.get("automountServiceAccountToken") is not False:
        bad.append("automountServiceAccountToken is not false")
    bad += [f"{f} is set" for f in ("hostNetwork", "hostPID", "hostIPC") if spec.get(f)]
    for volume in spec.get("volumes", []):
        if not set(volume) - {"name"} <= RESTRICTED_VOLUMES:
            bad.append(f"volume {volume['name']} has a disallowed type: {sorted(volume)}")
    if pod_sc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        bad.append("pod seccompProfile is not RuntimeDefault")
    bad += [f"unsafe sysctl {s['name']}" for s in pod_sc.get("sysctls", []) if s["name"] not in SAFE_SYSCTLS]
    for c in all_containers(spec):
        sc, name = c.get("securityContext", {}), c["name"]
        caps = sc.get("capabilities", {})
        uid = sc.get("runAsUser", pod_sc.get("runAsUser"))
        numeric_uid = isinstance(uid, int) and not isinstance(uid, bool)
        checks = {
            "runAsNonRoot is not true": sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is not True,
            "runAsUser is not a numeric non-zero UID": not numeric_uid or uid == 0,
            "pod runAsUser is 0": pod_sc.get("runAsUser") == 0,
            "allowPrivilegeEscalation is not false": sc.get("allowPrivilegeEscalation") is not False,
            "capabilities.drop is not [ALL]": caps.get("drop") != ["ALL"],
            "capabilities are added": bool(caps.get("add")),
            "privileged": bool(sc.get("privileged")),
            "seccompProfile is not RuntimeDefault": sc.get("seccompProfile", {}).get("type", "RuntimeDefault")
            != "RuntimeDefault",
            "procMount is not Default": sc.get("procMount", "Default") != "Default",
            "hostProcess": bool(sc.get("windowsOptions", {}).get("hostProcess")),
            "hostPort": any("hostPort" in p for p in c.get("ports", [])),
            "readOnlyRootFilesystem is not true": sc.get("readOnlyRootFilesystem") is not True,
        }
        bad += [f"{name}: {what}" for what, failed in checks.items() if failed]
    return bad


@pytest.fixture(params=["prod deployment", "prod test pod", "dev deployment", "dev test pod"])
def pod_spec(request, prod, dev):
    values, which = request.param.split(" ", 1)
    rendered = prod if values == "prod" else dev
    return rendered.pod_spec if which == "deployment" else rendered.test_pod["spec"]


def test_pod_meets_the_restricted_profile(pod_spec):
    assert restricted_violations(pod_spec) == []


def test_every_writable_mount_is_an_emptydir(pod_spec):
    volumes = {v["name"]: v for v in pod_spec.get("volumes", [])}
    for c in all_containers(pod_spec):
        for mount in c.get("volumeMounts", []):
            if not mount.get("readOnly"):
                assert set(volumes[mount["name"]]) == {"name", "emptyDir"}, (c["name"], mount)


def test_dev_seed_init_container_is_checked_too(dev):
    assert [c["name"] for c in dev.pod_spec["initContainers"]] == ["seed-source"]


@pytest.mark.parametrize("port", [80, 8080])
@pytest.mark.parametrize("with_dev", [False, True], ids=["prod", "dev"])
def test_non_root_process_may_bind_the_container_port(render, port, with_dev):
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


API_SC = ("containers", 0, "securityContext")
VIOLATIONS = [
    ((*API_SC, "runAsUser"), 0),
    ((*API_SC, "runAsUser"), "astrid"),
    ((*API_SC, "runAsNonRoot"), False),
    ((*API_SC, "allowPrivilegeEscalation"), True),
    ((*API_SC, "privileged"), True),
    ((*API_SC, "capabilities", "add"), ["NET_BIND_SERVICE"]),
    ((*API_SC, "capabilities", "drop"), ["NET_RAW"]),
    ((*API_SC, "readOnlyRootFilesystem"), False),
    ((*API_SC, "seccompProfile"), {"type": "Unconfined"}),
    (("securityContext", "seccompProfile"), {"type": "Unconfined"}),
    (("securityContext", "sysctls"), [{"name": "kernel.msgmax", "value": "1"}]),
    (("hostNetwork",), True),
    (("hostPID",), True),
    (("hostIPC",), True),
    (("volumes", 0), {"name": "tmp", "hostPath": {"path": "/var/lib"}}),
    (("containers", 0, "ports", 0, "hostPort"), 80),
    (("automountServiceAccountToken",), True),
]


@pytest.mark.parametrize(
    ("path", "value"), VIOLATIONS, ids=[".".join(map(str, p)) + f"={v!r}" for p, v in VIOLATIONS]
)
def test_the_checker_catches_each_violation(prod, path, value):
    spec = copy.deepcopy(prod.pod_spec)
    target = spec
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert restricted_violations(spec) != []
