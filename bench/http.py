"""/health throughput and latency with wrk. The three servers run in containers of the image just built
(one Python, one set of dependencies) on the host's network, bound to 127.0.0.1: no docker-proxy."""

import re
import statistics
import subprocess
import sys
from contextlib import ExitStack

from bench.report import BenchError, Figure
from bench.tools import ROOT, container, inspect, loopback_ports, poll

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
LABELS = {
    "ours": "ours: src.api.main, the image's CMD + ENV",
    "ceiling": "ceiling: raw ASGI, same args + --no-access-log",
    "plain": "plain: FastAPI def, uvicorn h11/asyncio, access log",
}


def wrk(url: str, seconds: int) -> dict:
    assert url.startswith("http://127.0.0.1:"), "load goes to loopback only"
    argv = ["wrk", "-t1", "-c32", f"-d{seconds}s", "--latency", url]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout

    def find(pattern: str) -> re.Match:
        match = re.search(pattern, out, re.M)
        if not match:
            raise BenchError(f"wrk: no line matching {pattern!r} in:\n{out}")
        return match

    def latency_ms(pct: str) -> float:
        match = find(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s)\s*$")
        return float(match.group(1)) * UNITS_MS[match.group(2)]

    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(find(r"^Requests/sec:\s+([\d.]+)").group(1)),
        "p50_ms": latency_ms("50"),
        "p99_ms": latency_ms("99"),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(map(int, socket_errors.groups())) if socket_errors else 0,
    }


def servers(image: str) -> dict[str, tuple[list[str], list[str]]]:
    """key: (extra `docker run` options, command). Ours is the image's CMD bound to 127.0.0.1."""
    config = inspect(image)["Config"]
    cmd = ["127.0.0.1" if arg == "0.0.0.0" else arg for arg in config["Cmd"]]
    mount = ["-v", f"{ROOT / 'bench'}:{config['WorkingDir']}/bench:ro"]  # the comparison apps
    plain = "uvicorn bench.apps.plain:app --host 127.0.0.1 --http h11 --loop asyncio"
    return {
        "ours": ([], cmd),
        "ceiling": (mount, [cmd[0], "bench.apps.raw:app", *cmd[2:], "--no-access-log"]),
        "plain": (mount, plain.split()),
    }


def throughput_figures(image: str, rounds: int, seconds: int = 5) -> list[Figure]:
    commands = servers(image)
    results: dict[str, list[dict]] = {key: [] for key in commands}
    with ExitStack() as stack:
        urls = {}
        ports = loopback_ports(len(commands))
        for (key, (extra, command)), port in zip(commands.items(), ports, strict=True):
            # Output goes nowhere (log driver none); UVICORN_PORT replaces the image's port 80.
            options = ["--network", "host", "--log-driver", "none", "-e", f"UVICORN_PORT={port}", *extra]
            stack.enter_context(container(options, image, *command))
            urls[key] = f"http://127.0.0.1:{port}/health"
        for url in urls.values():
            poll(url, 60)
            wrk(url, 1)  # warm-up, not recorded
        for i in range(rounds):  # interleaved: ours, ceiling, plain, ours, ...
            for key, url in urls.items():
                r = wrk(url, seconds)
                results[key].append(r)
                print(
                    f"  wrk {i + 1}/{rounds} {key}: {r['rps']:,.0f} req/s, p50 {r['p50_ms']:.2f} ms, "
                    f"p99 {r['p99_ms']:.2f} ms",
                    file=sys.stderr,
                )
    bad = {
        k: [(r["non2xx"], r["socket_errors"]) for r in rs if r["non2xx"] or r["socket_errors"]]
        for k, rs in results.items()
    }
    if any(bad.values()):
        raise BenchError(f"wrk saw non-2xx responses or socket errors (variant: [(non2xx, errors)]): {bad}")

    figures = []
    for key, label in LABELS.items():
        runs = results[key]
        first = "5 req/s" if key == "ours" else "  req/s"
        figures += [
            Figure(
                f"{first} {label}",
                "req/s",
                [r["rps"] for r in runs],
                note=" ".join(commands[key][1]),
                extra={"wrk": runs},
            ),
            Figure(f"    p50 latency, {key}", "ms", [r["p50_ms"] for r in runs]),
            Figure(f"    p99 latency, {key}", "ms", [r["p99_ms"] for r in runs]),
        ]
    for other, limit in (("ceiling", 0.19), ("plain", 2.0)):
        ours, theirs = ([r["rps"] for r in results[k]] for k in ("ours", other))
        ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
        of_medians = {"ratio_of_medians": statistics.median(ours) / statistics.median(theirs)}
        figures.append(
            Figure(f"  ours / {other} (req/s, paired rounds)", "", ratios, (">=", limit), extra=of_medians)
        )
    return figures
