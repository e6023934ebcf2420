"""Save -> served, stage by stage: `python -m bench.save_stages` (docs/performance.md).

Real Tilt on the current kube context, in a copy of the project, with `tilt up` running: --saves saves
of src/api/main.py, each timed on the wall clock at
  write   the save, here
  start   Tilt starts the live update (after its file events settle), and `done`, when it has copied
          the file in: the astrid-api resource's build history
  landed  the file changed in the container (watchfiles, in the pod; one clock: on CI's cluster the pod
          runs on this machine; a remote pod's clock is off by its NTP offset)
  pod     the first response carrying the save inside the pod (127.0.0.1, polled every 2 ms)
  forward the first through Tilt's port-forward (polled every 10 ms)
Half the saves run with Tilt's `pytest` and `health` resources enabled, which each save starts on the
same cores, half with them disabled (`tilt disable`), in alternating blocks. Prints one table and
writes bench/results/saves-<time>.json.

  --saves 40 --spacing 3   saves in all (half with the tests), seconds between them
  --context C              an allowed remote context (adds --allow-context C); default: a laptop one
  --no-nice                the copy's Tiltfile runs pytest and health at normal priority (to compare)
  --namespace astrid-bench-saves --tilt-port 10372 --api-port 18092"""

import argparse
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from bench.report import BenchError, Figure, publish
from bench.tilt_loop import copy_project
from bench.tilt_up import tilt_up
from bench.tools import ROOT, run

PROBE = '\n\n@app.get("/bench-probe")\nasync def bench_probe() -> dict:\n    return {"save": %d}\n'
# Runs in the pod: for each change of main.py, when it landed and when the pod first served it.
IN_POD = r"""
import json, re, time, urllib.request
from watchfiles import watch
def served(n):
    while True:
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/bench-probe", timeout=1) as r:
                if json.loads(r.read()).get("save") == n:
                    return time.time()
        except Exception:
            pass
        time.sleep(0.002)
for _ in watch("/app/src/api", step=1, rust_timeout=600000):
    landed = time.time()
    found = re.search(r'"save": (\d+)', open("/app/src/api/main.py").read())
    if found:
        print(json.dumps({"save": int(found[1]), "landed": landed, "pod": served(int(found[1]))}), flush=True)
"""


def stamp(text: str) -> float:
    """Tilt's RFC 3339 time (microseconds) as seconds since the epoch."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def forwarded(url: str, n: int, bound: float = 30) -> float:
    """When `url` first answered save n (polled every 10 ms)."""
    deadline = time.time() + bound
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 (Tilt's forward on loopback)
                if json.loads(resp.read()).get("save") == n:
                    return time.time()
        except (OSError, ValueError):
            pass  # reloading
        time.sleep(0.01)
    raise BenchError(f"save {n} was not served through {url} within {bound:.0f} s")


def live_update(tilt: list[str], after: float) -> tuple[float, float]:
    """(start, finish) of astrid-api's first build (the live update) that started after `after`."""
    deadline = time.time() + 30
    while time.time() < deadline:
        history = json.loads(run("tilt", "get", *tilt, "uiresource", "astrid-api", "-o", "json"))
        builds = [b for b in history["status"].get("buildHistory", []) if b.get("finishTime")]
        started = sorted((stamp(b["startTime"]), stamp(b["finishTime"])) for b in builds)
        later = [b for b in started if b[0] > after]
        if later:
            return later[0]
        time.sleep(0.1)
    raise BenchError("Tilt recorded no live update after the save within 30 s")


def measure(project: Path, args, tilt: list[str]) -> dict[str, list[float]]:
    main = project / "src" / "api" / "main.py"
    original = main.read_text()
    pod = run(
        "tilt", "get", *tilt, "uiresource", "astrid-api", "-o", "jsonpath={.status.k8sResourceInfo.podName}"
    )
    watcher = subprocess.Popen(
        [
            "kubectl",
            "exec",
            "-i",
            "-n",
            args.namespace,
            pod.strip(),
            "-c",
            "api",
            "--",
            "python",
            "-u",
            "-c",
            IN_POD % args.container_port,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(json.loads(ln)) for ln in watcher.stdout], daemon=True).start()
    stages: dict[str, list[float]] = {}
    try:
        time.sleep(2)  # the watcher starts
        for n in range(1, args.saves + 1):
            with_tests = (n - 1) // args.block % 2 == 0
            if (n - 1) % args.block == 0:
                run("tilt", "enable" if with_tests else "disable", *tilt, "pytest", "health")
                time.sleep(args.spacing)
            write = time.time()
            main.write_text(original + PROBE % n)
            fwd = forwarded(f"http://localhost:{args.api_port}/bench-probe", n)
            seen = lines.get(timeout=30)
            while seen["save"] != n:
                seen = lines.get(timeout=30)
            start, done = live_update(tilt, write)
            mode = "with tests" if with_tests else "tests off"
            for name, value in [
                ("Tilt's settle (write → live update starts)", start - write),
                ("Tilt's sync (live update starts → done)", done - start),
                ("write → file in the container", seen["landed"] - write),
                (
                    "reload in the pod (file in the container → first new response there)",
                    seen["pod"] - seen["landed"],
                ),
                ("the forward (new response in the pod → through localhost)", fwd - seen["pod"]),
                (f"save → served through the forward, {mode}", fwd - write),
            ]:
                stages.setdefault(name, []).append(value)
            print(f"  save {n}/{args.saves} ({mode}): served after {fwd - write:.3f} s", file=sys.stderr)
            time.sleep(args.spacing)
    finally:
        main.write_text(original)
        run("tilt", "enable", *tilt, "pytest", "health")
        watcher.kill()
    return stages


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.save_stages", description=__doc__.split("\n\n")[0])
    parser.add_argument("--saves", type=int, default=40)
    parser.add_argument("--block", type=int, default=5, help="saves in a row with the tests on, then off (5)")
    parser.add_argument("--spacing", type=float, default=3.0)
    parser.add_argument("--context", default="", help="an allowed remote context (default: a laptop one)")
    parser.add_argument("--namespace", default="astrid-bench-saves")
    parser.add_argument("--tilt-port", type=int, default=10372)
    parser.add_argument("--api-port", type=int, default=18092)
    parser.add_argument("--container-port", type=int, default=80)
    parser.add_argument("--reloader", default="", help="the Tiltfile's reloader setting (default: its own)")
    parser.add_argument("--no-nice", action="store_true", help="pytest and health at normal priority")
    args = parser.parse_args()
    tilt = ["--port", str(args.tilt_port)]
    settings = ["--namespace", args.namespace, "--create-namespace", "--api-port", str(args.api_port)]
    settings += ["--allow-context", args.context] if args.context else []
    settings += ["--reloader", args.reloader] if args.reloader else []
    started = datetime.now(UTC)
    commit = run("git", "rev-parse", "--short", "HEAD", cwd=ROOT).strip()
    with tempfile.TemporaryDirectory(prefix="astrid-bench-saves-") as tmp:
        project = copy_project(Path(tmp))
        if args.no_nice:
            tiltfile = project / "Tiltfile"
            tiltfile.write_text(tiltfile.read_text().replace("'nice', '-n', '19', ", "", 1))
        try:
            with tilt_up(project, tilt, settings):
                stages = measure(project, args, tilt)
        except (BenchError, queue.Empty, subprocess.TimeoutExpired) as exc:
            print(f"bench: FAILED: {exc!r}", file=sys.stderr)
            return 1
        finally:
            down = ["tilt", "down", "--delete-namespaces", "--", *settings]
            subprocess.run(down, cwd=project, capture_output=True, check=False, timeout=600)
    targets = {"reload in the pod": ("<=", 0.150), "save → served": ("<=", 0.6)}
    figures = [
        Figure(name, "s", values, next((t for k, t in targets.items() if name.startswith(k)), None))
        for name, values in stages.items()
    ]
    context = run("kubectl", "config", "current-context").strip()
    header = [f"saves through real Tilt on {os.uname().nodename}, {os.cpu_count()} cores, context {context}"]
    notes = [f"{args.saves} saves {args.spacing:g} s apart, in blocks of {args.block}: tests on, then off."]
    notes += ["pytest and health at normal priority (--no-nice)"] if args.no_nice else []
    publish("saves", started, commit, figures, notes, header, context=context)
    return 0


if __name__ == "__main__":
    sys.exit(main())
