"""/health throughput and latency with wrk, three servers side by side, loopback only."""

import re
import statistics
import subprocess
import sys
from contextlib import ExitStack

from bench.report import BenchError, Figure
from tests.support.engines import free_port

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
VARIANTS = {  # key: (label, how it is served)
    "ours": (
        "ours: src.api.main, image CMD + chart settings",
        "tests.support.server.uvicorn()",
    ),
    "ceiling": ("ceiling: raw ASGI, same args + --no-access-log", "bench.apps.raw"),
    "plain": ("plain: FastAPI def, uvicorn h11/asyncio, access log", "bench.apps.plain"),
}


def wrk(url: str, seconds: int) -> dict:
    assert url.startswith("http://127.0.0.1:"), "load goes to loopback only"
    argv = ["wrk", "-t1", "-c32", f"-d{seconds}s", "--latency", url]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout

    def latency_ms(pct: str) -> float:
        match = re.search(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not match:
            raise BenchError(f"wrk: no {pct}% latency line in:\n{out}")
        return float(match.group(1)) * UNITS_MS[match.group(2)]

    rps = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M)
    if not rps:
        raise BenchError(f"wrk: no Requests/sec line in:\n{out}")
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(rps.group(1)),
        "p50_ms": latency_ms("50"),
        "p99_ms": latency_ms("99"),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(map(int, socket_errors.groups())) if socket_errors else 0,
    }


def throughput_figures(rounds: int, seconds: int = 5) -> list[Figure]:
    from tests.support.server import chart_args, serve, uvicorn

    results: dict[str, list[dict]] = {key: [] for key in VARIANTS}
    with ExitStack() as stack:
        urls = {"ours": stack.enter_context(uvicorn())[1] + "/health"}
        port = free_port()
        ceiling, env = chart_args(port, "bench.apps.raw:app")
        urls["ceiling"] = stack.enter_context(serve([*ceiling, "--no-access-log"], port, env))[1] + "/health"
        port = free_port()
        plain = f"bench.apps.plain:app --host 127.0.0.1 --port {port} --http h11 --loop asyncio".split()
        urls["plain"] = stack.enter_context(serve(plain, port))[1] + "/health"
        for url in urls.values():  # warm-up, not recorded
            wrk(url, 1)
        for i in range(rounds):  # interleaved: ours, ceiling, plain, ours, ...
            for key, url in urls.items():
                results[key].append(wrk(url, seconds))
                r = results[key][-1]
                print(
                    f"  wrk {i + 1}/{rounds} {key}: {r['rps']:,.0f} req/s, p50 {r['p50_ms']:.2f} ms, "
                    f"p99 {r['p99_ms']:.2f} ms",
                    file=sys.stderr,
                )
    bad = {
        k: (r["non2xx"], r["socket_errors"])
        for k, rs in results.items()
        for r in rs
        if r["non2xx"] or r["socket_errors"]
    }
    if bad:
        raise BenchError(f"wrk saw non-2xx responses or socket errors (variant: (non2xx, errors)): {bad}")

    figures = []
    for key, (label, served_by) in VARIANTS.items():
        runs = results[key]
        figures += [
            Figure(
                f"5 req/s {label}" if key == "ours" else f"  req/s {label}",
                "req/s",
                [r["rps"] for r in runs],
                note=served_by,
                extra={"wrk": runs},
            ),
            Figure(f"    p50 latency, {key}", "ms", [r["p50_ms"] for r in runs]),
            Figure(f"    p99 latency, {key}", "ms", [r["p99_ms"] for r in runs]),
        ]
    for other, limit in (("ceiling", 0.19), ("plain", 2.0)):
        ratios = [a["rps"] / b["rps"] for a, b in zip(results["ours"], results[other], strict=True)]
        figures.append(
            Figure(
                f"  ours / {other} (req/s, paired rounds)",
                "",
                ratios,
                (">=", limit),
                extra={
                    "ratio_of_medians": statistics.median(r["rps"] for r in results["ours"])
                    / statistics.median(r["rps"] for r in results[other])
                },
            )
        )
    return figures
