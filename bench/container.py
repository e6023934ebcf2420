"""Container start -> first /health 200 (the image's own CMD), and the idle service's RSS."""

import calendar
import json
import os
import sys
import time
import uuid
from pathlib import Path

from bench.report import MB, BenchError, Figure
from tests.support.engines import free_port, get, remove, sh, wait_for

POLL = 0.010
BOUND = 60.0
CONTAINER_PORT = 80  # Dockerfile.api: EXPOSE 80, CMD ... --port 80


def _epoch_ns(rfc3339: str) -> int:
    """Docker's State.StartedAt ("2026-01-02T03:04:05.123456789Z") as Unix nanoseconds."""
    stamp = rfc3339.rstrip("Z")
    whole, _, frac = stamp.partition(".")
    seconds = calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S"))
    return seconds * 1_000_000_000 + int((frac + "000000000")[:9])


def _proc(container: str, pid: int, name: str) -> str:
    """/proc/<State.Pid>/<name> of the container's main process, else the same read via docker exec."""
    try:
        return Path(f"/proc/{pid}/{name}").read_text()
    except OSError:
        return sh("docker", "exec", container, "cat", f"/proc/1/{name}").stdout


def _vmrss_bytes(container: str, pid: int) -> int:
    for line in _proc(container, pid, "status").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise BenchError(f"no VmRSS for {container}")


def _cpu_seconds(container: str, pid: int) -> float:
    """User + system CPU time the main process has used (proc(5): stat fields 14 and 15)."""
    fields = _proc(container, pid, "stat").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_start(image: str, name: str) -> tuple[float, float, float, int]:
    """(docker run -> 200, StartedAt -> 200, CPU s by then, idle RSS bytes) for one fresh container."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/health"
    start = time.perf_counter()
    sh("docker", "run", "-d", "--name", name, "-p", f"127.0.0.1:{port}:{CONTAINER_PORT}", image, timeout=120)
    try:
        wait_for(url, timeout=BOUND, poll=POLL)
    except TimeoutError as exc:
        raise BenchError(f"container start: no 200 within {BOUND:.0f} s ({exc})") from None
    from_run, served_ns = time.perf_counter() - start, time.time_ns()
    state = json.loads(sh("docker", "inspect", "--format", "{{json .State}}", name).stdout)
    from_process = (served_ns - _epoch_ns(state["StartedAt"])) / 1e9
    cpu = _cpu_seconds(name, state["Pid"])
    for _ in range(20):
        get(url)
    time.sleep(0.5)
    return from_run, from_process, cpu, _vmrss_bytes(name, state["Pid"])


def start_figures(image: str, rounds: int) -> list[Figure]:
    from_run: list[float] = []
    from_process: list[float] = []
    cpu: list[float] = []
    rss: list[float] = []
    suffix = uuid.uuid4().hex[:8]
    for i in range(rounds):
        name = f"astrid-bench-start-{suffix}-{i}"
        try:
            run_s, process_s, cpu_s, rss_bytes = one_start(image, name)
        finally:
            remove(name)
        from_run.append(run_s)
        from_process.append(process_s)
        cpu.append(cpu_s)
        rss.append(rss_bytes / MB)
        print(
            f"  start {i + 1}/{rounds}: run→200 {run_s:.3f} s, process→200 {process_s:.3f} s "
            f"(CPU {cpu_s:.2f} s), "
            f"RSS {rss[-1]:.1f} MB",
            file=sys.stderr,
        )
    return [
        Figure(
            "4 process start → first /health 200",
            "s",
            from_process,
            ("<=", 0.6),
            "from the container's State.StartedAt",
        ),
        Figure("  docker run → first /health 200", "s", from_run, note="from the `docker run -d` invocation"),
        Figure(
            "  CPU time the process used by then",
            "s",
            cpu,
            note="user+sys of the main process at the first 200; wall − CPU ≈ waiting for a core",
        ),
        Figure("  idle RSS (VmRSS, after 20 requests)", "MB", rss, ("<=", 60.0)),
    ]
