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
writes bench/results/saves-<time>.json."""

import argparse
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.report import BenchError, Figure, publish
from bench.tilt_loop import copy_project
from bench.tilt_up import live_update, tilt_up
from bench.tools import ROOT, namespace_gone, poll, run, tear_down

PROBE = '\n\n@app.get("/bench-probe")\nasync def bench_probe() -> dict:\n    return {"save": %d}\n'
WATCH = Path(__file__).with_name("save_watch.py")  # run in the pod: kubectl exec … python -c


def measure(project: Path, args, tilt: list[str]) -> dict[str, list[float]]:
    main = project / "src" / "api" / "main.py"
    original = main.read_text()
    pod = run(
        "tilt", "get", *tilt, "uiresource", "astrid-api", "-o", "jsonpath={.status.k8sResourceInfo.podName}"
    )
    exec_ = ["kubectl", "exec", "-n", args.namespace, pod.strip(), "-c", "api", "--"]
    watcher = subprocess.Popen(
        [*exec_, "python", "-u", "-c", WATCH.read_text(), str(args.container_port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(json.loads(ln)) for ln in watcher.stdout], daemon=True).start()
    stages: dict[str, list[float]] = {}
    url = f"http://localhost:{args.api_port}/bench-probe"
    try:
        time.sleep(2)  # the watcher starts
        for n in range(1, args.saves + 1):
            with_tests = (n - 1) // args.block % 2 == 0
            if (n - 1) % args.block == 0:
                run("tilt", "enable" if with_tests else "disable", *tilt, "pytest", "health")
                time.sleep(args.spacing)
            write = time.time()
            main.write_text(original + PROBE % n)
            poll(url, 30, lambda body, n=n: json.loads(body).get("save") == n)  # every 10 ms
            fwd = time.time()  # the first answer carrying the save through the forward
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
    add = parser.add_argument
    add("--saves", type=int, default=40, help="saves in all, half with the tests (40)")
    add("--block", type=int, default=5, help="saves in a row with the tests on, then off (5)")
    add("--spacing", type=float, default=3.0, help="seconds between saves (3)")
    add(
        "--context",
        default="",
        help="an allowed remote context (adds --allow-context; default: a laptop one)",
    )
    add("--namespace", default="astrid-bench-saves", help="namespace to deploy into (astrid-bench-saves)")
    add("--tilt-port", type=int, default=10372, help="Tilt's own API/UI port (10372)")
    add("--api-port", type=int, default=18092, help="the forwarded api port (18092)")
    add("--container-port", type=int, default=80, help="the api's port in the pod (80)")
    add("--reloader", default="", help="the Tiltfile's reloader setting (default: its own)")
    add(
        "--no-nice", action="store_true", help="the copy's Tiltfile runs pytest and health at normal priority"
    )
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
            tiltfile, nice = project / "Tiltfile", "'nice', '-n', '19', "
            if nice not in tiltfile.read_text():
                print(
                    f"bench: --no-nice: the Tiltfile no longer runs its tests under {nice}", file=sys.stderr
                )
                return 2
            tiltfile.write_text(tiltfile.read_text().replace(nice, "", 1))
        namespace_gone(args.namespace)  # an earlier run's, still terminating
        try:
            with tilt_up(project, tilt, settings):
                stages = measure(project, args, tilt)
        except queue.Empty:
            print("bench: FAILED: the watcher in the pod reported nothing for 30 s", file=sys.stderr)
            return 1
        except (BenchError, subprocess.TimeoutExpired) as exc:
            print(f"bench: FAILED: {exc!r}", file=sys.stderr)
            return 1
        finally:
            tear_down(project, settings, args.namespace)
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
