"""Start a rendered pod's container under Docker the way a kubelet would.

Translates what the chart sets that Docker can honour: command and args, user and
group, read-only root filesystem, dropped capabilities, no privilege escalation,
pod sysctls, and emptyDir volumes (an init container seeds them first, as in
Kubernetes). Ports are published on 127.0.0.1 only.
"""

import subprocess
import uuid
from dataclasses import dataclass, field

from tests.support.engines import remove, sh


def _security_flags(pod_spec: dict, container: dict) -> list[str]:
    pod_sc, sc = pod_spec.get("securityContext", {}), container.get("securityContext", {})
    uid = sc.get("runAsUser", pod_sc.get("runAsUser"))
    gid = sc.get("runAsGroup", pod_sc.get("runAsGroup"))
    flags = []
    if uid is not None:
        flags += ["--user", f"{uid}:{gid}" if gid is not None else str(uid)]
    if pod_sc.get("fsGroup") is not None:
        flags += ["--group-add", str(pod_sc["fsGroup"])]
    if sc.get("readOnlyRootFilesystem"):
        flags.append("--read-only")
    for cap in sc.get("capabilities", {}).get("drop", []):
        flags += ["--cap-drop", cap]
    if sc.get("allowPrivilegeEscalation") is False:
        flags += ["--security-opt", "no-new-privileges"]
    for sysctl in pod_sc.get("sysctls", []):
        flags += ["--sysctl", f"{sysctl['name']}={sysctl['value']}"]
    return flags


def _process(image: str, container: dict) -> list[str]:
    """The tail of `docker run`: the container's command as entrypoint, the image, the args."""
    command = container.get("command") or []
    entrypoint = ["--entrypoint", command[0]] if command else []
    return [*entrypoint, image, *command[1:], *container.get("args", [])]


def _run(
    name: str,
    image: str,
    container: dict,
    pod_spec: dict,
    volumes: dict[str, str],
    extra: list[str],
    detach: bool,
    runtime: tuple[str, ...] = (),
) -> None:
    mounts = []
    for m in container.get("volumeMounts", []):
        mounts += ["--mount", f"type=volume,source={volumes[m['name']]},target={m['mountPath']}"]
    argv = [
        "docker",
        "run",
        "--name",
        name,
        *(["-d"] if detach else []),
        *runtime,  # the node runtime's defaults: the pod's own settings come after and win
        *_security_flags(pod_spec, container),
        *mounts,
        *extra,
        *_process(image, container),
    ]
    sh(*argv, timeout=120)


def _create_empty_dirs(image: str, volumes: list[str], fs_group: int | None) -> None:
    """Like the kubelet's emptyDir: mode 0777, or group fsGroup with setgid when one is set."""
    for volume in volumes:
        sh("docker", "volume", "create", volume)
        fix = "chmod 0777 /v" if fs_group is None else f"chgrp {fs_group} /v && chmod 2777 /v"
        sh(
            "docker",
            "run",
            "--rm",
            "--user",
            "0",
            "--network",
            "none",
            "-v",
            f"{volume}:/v",
            "--entrypoint",
            "sh",
            image,
            "-c",
            fix,
        )


@dataclass
class DockerPod:
    container: str  # the main container's name
    containers: list[str] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)

    def remove(self) -> None:
        remove(*self.containers)
        for volume in self.volumes:
            sh("docker", "volume", "rm", "-f", volume, check=False)


def run_pod(
    pod_spec: dict, image: str, container_port: int, host_port: int, runtime: tuple[str, ...] = ()
) -> DockerPod:
    """Run init containers to completion, then the first container detached.

    `runtime` holds docker flags for what the node's runtime would set by default
    (e.g. containerd 1.x's `--sysctl net.ipv4.ip_unprivileged_port_start=1024`)."""
    suffix = uuid.uuid4().hex[:8]
    volumes = {
        v["name"]: f"astrid-test-{v['name']}-{suffix}" for v in pod_spec.get("volumes", []) if "emptyDir" in v
    }
    main = pod_spec["containers"][0]
    pod = DockerPod(container=f"astrid-test-{main['name']}-{suffix}", volumes=list(volumes.values()))
    try:
        _create_empty_dirs(image, list(volumes.values()), pod_spec.get("securityContext", {}).get("fsGroup"))
        for init in pod_spec.get("initContainers", []):
            pod.containers.append(f"astrid-test-{init['name']}-{suffix}")
            _run(pod.containers[-1], image, init, pod_spec, volumes, [], detach=False, runtime=runtime)
        pod.containers.append(pod.container)
        publish = ["-p", f"127.0.0.1:{host_port}:{container_port}"]
        _run(pod.container, image, main, pod_spec, volumes, publish, detach=True, runtime=runtime)
    except Exception:
        pod.remove()
        raise
    return pod


def run_job(pod_spec: dict, image: str, extra: list[str]) -> subprocess.CompletedProcess:
    """Run a pod's only container to completion (a helm test hook); --rm, result returned."""
    (container,) = pod_spec["containers"]
    flags = [*_security_flags(pod_spec, container), *extra]
    return subprocess.run(["docker", "run", "--rm", *flags, *_process(image, container)],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
