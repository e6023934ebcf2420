"""What the figures were measured on, and the tools the benchmark needs."""

import importlib.util
import os
import platform
import shutil
import subprocess
import sysconfig
from pathlib import Path

from tests.support.engines import ROOT, image_config, sh

INSTALL = {
    "docker": "install Docker Engine (Debian: apt-get install docker.io) and start it",
    "wrk": "install wrk (Debian: apt-get install wrk)",
}


def missing_tool() -> str | None:
    """One line naming the first missing prerequisite and how to get it, or None."""
    for tool, how in INSTALL.items():
        if shutil.which(tool) is None:
            return f"bench: {tool} is not installed; {how}"
    probe = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=60, check=False)
    if probe.returncode != 0:
        reason = (probe.stderr.strip().splitlines() or ["no output"])[-1][:160]
        return f"bench: docker's daemon does not answer ({reason}); start it (systemctl start docker)"
    try:
        import helm_python  # noqa: F401
        import yaml  # noqa: F401
    except ImportError as exc:
        return f"bench: the dev venv lacks {exc.name}; run `make venv` and use .venv/bin/python -m bench"
    return None


def _first(path: str, key: str) -> str:
    for line in Path(path).read_text().splitlines():
        if line.startswith(key):
            return line.split(":", 1)[1].strip()
    return "unknown"


def _git() -> str:
    head = sh("git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD", check=False).stdout.strip()
    dirty = sh("git", "-C", str(ROOT), "status", "--porcelain", check=False).stdout.strip()
    return f"{head or 'unknown'}{' (uncommitted changes)' if dirty else ''}"


def describe(base: str) -> dict:
    base_config = image_config(base)
    mem_kib = int(_first("/proc/meminfo", "MemTotal").split()[0])
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    return {
        "cpu_model": _first("/proc/cpuinfo", "model name"),
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "memory_gb": round(mem_kib * 1024 / 1e9, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),  # the host venv's: it runs the throughput servers
        "python_pgo": "--enable-optimizations" in (sysconfig.get_config_var("CONFIG_ARGS") or ""),
        "uvloop_installed": importlib.util.find_spec("uvloop") is not None,
        "base_image_python": sh(
            "docker", "run", "--rm", "--network", "none", "--entrypoint", "python", base, "-V"
        ).stdout.strip(),
        "docker_server": sh("docker", "version", "--format", "{{.Server.Version}}").stdout.strip(),
        "base_image": base,
        "base_image_id": base_config["Id"],
        "base_image_size_bytes": base_config["Size"],
        "wrk": (wrk.stdout or wrk.stderr).split(" [")[0].strip(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "git": _git(),
    }


def header(m: dict) -> list[str]:
    return [
        f"machine: {m['cpu_model']}, {m['cores']} cores, {m['memory_gb']} GB, kernel {m['kernel']}, "
        f"Docker {m['docker_server']}",
        f"host Python {m['python']} ({'PGO' if m['python_pgo'] else 'no PGO'}, "
        f"{'uvloop' if m['uvloop_installed'] else 'no uvloop'}) for throughput; base image {m['base_image']} "
        f"({m['base_image_size_bytes'] / 1e6:.1f} MB, {m['base_image_python']}); git {m['git']}",
        f"load average {m['load_average_at_start'][0]} at start, {m['load_average_at_end'][0]} at end "
        "(1 min; other work on this machine shares its cores)",
    ]
