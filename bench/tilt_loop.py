"""The real loop's figures: `make bench-loop` (CI's cluster must be up: docs/performance.md).

Real Tilt on the CI cluster, in a copy of the project: a cold `tilt ci` (no image, no build cache),
a warm one, and with `tilt up` running, save -> new response through localhost:8080 for N saves.
Prints one table and writes bench/results/loop-<time>.json."""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.report import BenchError, Figure, table, write_json
from bench.tools import ROOT, poll, run

PROBE = '\n\n@app.get("/bench-probe")\nasync def bench_probe() -> dict:\n    return {"save": %d}\n'
URL = "http://localhost:8080/bench-probe"


def timed(*argv: str, cwd: Path) -> float:
    """Seconds argv took; BenchError when it fails."""
    start = time.perf_counter()
    run(*argv, cwd=cwd)
    return time.perf_counter() - start


def copy_project(into: Path) -> Path:
    for name in filter(None, run("git", "ls-files", "-z", "-co", "--exclude-standard", cwd=ROOT).split("\0")):
        if (ROOT / name).is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, into / name)
    (into / ".venv").symlink_to(ROOT / ".venv")
    return into


def saves(project: Path, rounds: int) -> list[float]:
    main = project / "src" / "api" / "main.py"
    original = main.read_text()
    log = open(project / "tilt-up.log", "w")  # noqa: SIM115 (closed below)
    tilt = subprocess.Popen(["tilt", "up", "--stream"], cwd=project, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while subprocess.run(["tilt", "get", "session"], capture_output=True, check=False).returncode != 0:
            if time.monotonic() > deadline:
                raise BenchError("tilt up's API did not answer within 60 s")
            time.sleep(0.5)
        run("tilt", "wait", "--for=condition=Ready", "uiresource/astrid-api", "--timeout=600s", cwd=project)
        times = []
        for n in range(1, rounds + 1):
            main.write_text(original + PROBE % n)
            times.append(poll(URL, 30, lambda body, n=n: json.loads(body).get("save") == n))
            print(f"  save {n}/{rounds}: served after {times[-1]:.3f} s", file=sys.stderr)
            time.sleep(1.0)  # let the pytest and health resources that the save triggered settle
        return times
    finally:
        tilt.terminate()
        tilt.wait(30)
        log.close()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tilt_loop", description=__doc__)
    parser.add_argument("--saves", type=int, default=10, help="saves to time (default 10)")
    args = parser.parse_args()
    if shutil.which("tilt") is None or not os.environ.get("KUBECONFIG"):
        print(
            'bench: run under the CI cluster\'s environment: eval "$(bash .ci/cluster.sh env)"',
            file=sys.stderr,
        )
        return 2
    started = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="astrid-bench-loop-") as tmp:
        project = copy_project(Path(tmp))
        try:
            print("bench: cold tilt ci (no astrid-api image, no build cache)", file=sys.stderr)
            images = run("docker", "images", "-q", "--filter", "reference=*/astrid-api").split()
            subprocess.run(["docker", "rmi", "-f", *images], capture_output=True, check=False)
            subprocess.run(["docker", "builder", "prune", "-af"], capture_output=True, check=False)
            cold = timed("tilt", "ci", cwd=project)
            run("tilt", "down", cwd=project)
            print("bench: warm tilt ci", file=sys.stderr)
            warm = timed("tilt", "ci", cwd=project)
            run("tilt", "down", cwd=project)
            print("bench: saves with tilt up", file=sys.stderr)
            times = saves(project, args.saves)
        except BenchError as exc:
            print(f"bench: {exc}", file=sys.stderr)
            return 1
        finally:
            subprocess.run(["tilt", "down"], cwd=project, capture_output=True, check=False)
    figures = [
        Figure(
            "save → new response via localhost:8080", "s", times, ("<=", 1.0), "real Tilt, polled every 10 ms"
        ),
        Figure("tilt ci, cold (build, push, deploy, all green)", "s", [cold], ("<=", 300)),
        Figure("tilt ci, warm", "s", [warm], ("<=", 300)),
    ]
    notes = ["tilt ci includes the venv, health (the smoke test) and pytest (app and chart tests) resources."]
    record = {
        "started": started.isoformat(timespec="seconds"),
        "load_average_at_end": os.getloadavg(),
        "figures": [f.as_json() for f in figures],
        "notes": notes,
    }
    path = ROOT / "bench" / "results" / f"loop-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    write_json(path, record)
    print(table(figures, notes, [f"real loop on {os.uname().nodename}, {os.cpu_count()} cores"]))
    print(f"written: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
