"""`.venv/bin/python -m bench [--quick] [--json-only]`: build, measure, print one table, write JSON."""

import argparse
import json
import os
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import machine
from bench.report import BenchError, Figure, table, write_json
from bench.tools import ROOT, run

RESULTS = ROOT / "bench" / "results"
ROUNDS = {  # full run, --quick
    "warm_build": (5, 3),
    "cold_build": (3, 2),
    "start": (7, 3),
    "wrk": (3, 1),
}
NOTES = [
    "Every figure is the median of n runs; compared variants ran interleaved in the same run.",
    "MB = 10^6 bytes. Image size is `docker image inspect` Size; overhead = image − base image.",
    "1: the real loop (Tilt on the CI cluster) is measured by `python -m bench.tilt_loop`.",
    "2: a copied build context, classic builder (DOCKER_BUILDKIT=0), the same BASE_IMAGE; "
    "warm = one src file changed.",
    "4: the target applies to process start (the container's State.StartedAt) → first 200; image's own CMD.",
    "5: wrk -t1 -c32 -d5s --latency on 127.0.0.1; the three servers run in containers of the image "
    "built here (its Python and dependencies), on the host's network bound to 127.0.0.1, output discarded "
    "(--log-driver none). Ours does not access-log /health (the filter in src/api/probe_logs.py), so the "
    "ceiling runs with --no-access-log; plain logs every request.",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    parser.add_argument("--json-only", action="store_true", help="print the JSON record instead of the table")
    return parser.parse_args()


def measure(quick: bool, base: str) -> list[Figure]:
    from bench.build import Builder, build_figures, size_figures
    from bench.container import start_figures
    from bench.http import throughput_figures

    rounds = {key: pair[1 if quick else 0] for key, pair in ROUNDS.items()}
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="astrid-bench-") as tmp:
        builder = Builder(Path(tmp), base)
        try:
            print("bench: building the image (warms the dependency layer)", file=sys.stderr)
            image, _ = builder.build()
            print("bench: builds", file=sys.stderr)
            figures += build_figures(builder, rounds["warm_build"], rounds["cold_build"])
            figures += size_figures(image, base)
            print("bench: container start and RSS", file=sys.stderr)
            figures += start_figures(image, rounds["start"])
            print("bench: /health throughput", file=sys.stderr)
            figures += throughput_figures(image, rounds["wrk"])
        finally:
            builder.remove()
    return figures


def main() -> int:
    args = parse_args()
    problem = machine.missing_tool()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks on SIGTERM too
    started = datetime.now(UTC)
    try:
        base = run("bash", str(ROOT / "scripts" / "base-image.sh"), timeout=1200).splitlines()[-1]
        description = machine.describe(base)
        figures = measure(args.quick, base)
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    record = {
        "started": started.isoformat(timespec="seconds"),
        "duration_s": round(time.time() - started.timestamp(), 1),
        "mode": "quick" if args.quick else "full",
        "machine": {**description, "load_average_at_end": [round(x, 2) for x in os.getloadavg()]},
        "figures": [f.as_json() for f in figures],
        "notes": NOTES,
    }
    path = RESULTS / f"{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    write_json(path, record)
    if args.json_only:
        print(json.dumps(record, indent=2, ensure_ascii=False))
    else:
        print(table(figures, NOTES, machine.header(record["machine"])))
        print(f"written: {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
