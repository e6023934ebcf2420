"""Container start -> first /health 200 (the image's own CMD), and the idle service's RSS."""

import os
import sys
import time
from datetime import datetime
from pathlib import Path

from bench.report import MB, Figure
from bench.tools import container, inspect, loopback_ports, poll, run

CONTAINER_PORT = 80  # Dockerfile.api: EXPOSE 80, ENV UVICORN_PORT=80


def proc(name: str, pid: int, entry: str) -> str:
    """/proc/<pid>/<entry> of the container's main process, read on the host or else via docker exec."""
    try:
        return Path(f"/proc/{pid}/{entry}").read_text()
    except OSError:
        return run("docker", "exec", name, "cat", f"/proc/1/{entry}")


def started_ns(state: dict) -> int:
    """State.StartedAt ("2026-01-02T03:04:05.123456789Z", nanoseconds) as Unix nanoseconds."""
    whole, _, frac = state["StartedAt"].rstrip("Z").partition(".")
    seconds = datetime.fromisoformat(whole + "+00:00").timestamp()
    return int(seconds) * 1_000_000_000 + int(frac.ljust(9, "0")[:9])


def one_start(image: str) -> tuple[float, float, float, float]:
    """(docker run -> 200 s, StartedAt -> 200 s, CPU s by then, idle RSS MB) of one fresh container."""
    port = loopback_ports(1)[0]
    url = f"http://127.0.0.1:{port}/health"
    start = time.perf_counter()
    with container(["-p", f"127.0.0.1:{port}:{CONTAINER_PORT}"], image) as name:
        poll(url, 60)
        from_run, served_ns = time.perf_counter() - start, time.time_ns()
        state = inspect(name)["State"]
        stat = proc(name, state["Pid"], "stat").rsplit(")", 1)[1].split()
        cpu = (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")  # proc(5): utime + stime
        for _ in range(20):
            poll(url, 5)
        time.sleep(0.5)
        rss = next(x for x in proc(name, state["Pid"], "status").splitlines() if x.startswith("VmRSS:"))
    return from_run, (served_ns - started_ns(state)) / 1e9, cpu, int(rss.split()[1]) * 1024 / MB


def start_figures(image: str, rounds: int) -> list[Figure]:
    runs = []
    for i in range(rounds):
        runs.append(one_start(image))
        run_s, process_s, cpu_s, rss_mb = runs[-1]
        print(
            f"  start {i + 1}/{rounds}: run→200 {run_s:.3f} s, process→200 {process_s:.3f} s "
            f"(CPU {cpu_s:.2f} s), RSS {rss_mb:.1f} MB",
            file=sys.stderr,
        )
    from_run, from_process, cpu, rss = (list(column) for column in zip(*runs, strict=True))
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
