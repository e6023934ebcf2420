"""What the figures were measured on, and the tools the benchmark needs."""

import os
import platform
import shutil
import subprocess
from pathlib import Path

from bench.tools import ROOT, inspect, run

INSTALL = {
    "docker": "install Docker Engine (Debian: apt-get install docker.io) and start it",
    "wrk": "install wrk (Debian: apt-get install wrk)",
}
# The image's Python (it runs all three throughput servers): version, and whether it was built with PGO.
PYTHON = (
    "import platform, sysconfig; print(platform.python_version(), sysconfig.get_config_var('CONFIG_ARGS'))"
)


def missing_tool() -> str | None:
    """One line naming the first missing prerequisite and how to get it, or None."""
    for tool, how in INSTALL.items():
        if shutil.which(tool) is None:
            return f"bench: {tool} is not installed; {how}"
    probe = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=60, check=False)
    if probe.returncode != 0:
        reason = (probe.stderr.strip().splitlines() or ["no output"])[-1][:160]
        return f"bench: docker's daemon does not answer ({reason}); start it (systemctl start docker)"
    return None


def _first(path: str, key: str) -> str:
    line = next((x for x in Path(path).read_text().splitlines() if x.startswith(key)), ":unknown")
    return line.split(":", 1)[1].strip()


def describe(base: str) -> dict:
    git = ["git", "-C", str(ROOT)]
    dirty = run(*git, "status", "--porcelain").strip()
    python = run("docker", "run", "--rm", "--network", "none", base, "python", "-V").strip()
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    return {
        "cpu_model": _first("/proc/cpuinfo", "model name"),
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "memory_gb": round(int(_first("/proc/meminfo", "MemTotal").split()[0]) * 1024 / 1e9, 1),
        "kernel": platform.release(),
        "docker_server": run("docker", "version", "--format", "{{.Server.Version}}").strip(),
        "base_image": base,
        "base_image_id": inspect(base)["Id"],
        "base_image_size_bytes": inspect(base)["Size"],
        "base_image_python": python,  # the image's too: it runs all three throughput servers
        "wrk": (wrk.stdout or wrk.stderr).split(" [")[0].strip(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "git": run(*git, "rev-parse", "--short=12", "HEAD").strip()
        + (" (uncommitted changes)" if dirty else ""),
    }


def header(m: dict) -> list[str]:
    return [
        f"machine: {m['cpu_model']}, {m['cores']} cores, {m['memory_gb']} GB, kernel {m['kernel']}, "
        f"Docker {m['docker_server']}",
        f"base image {m['base_image']} ({m['base_image_size_bytes'] / 1e6:.1f} MB, {m['base_image_python']}, "
        f"which runs every server); git {m['git']}",
        f"load average {m['load_average_at_start'][0]} at start, {m['load_average_at_end'][0]} at end "
        "(1 min; other work on this machine shares its cores)",
    ]
