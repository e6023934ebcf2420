"""The real loop's figures at a distance: `make bench-loop` (CI's DOKS stand-in: docs/performance.md).

Real Tilt against the remote branch of the Tiltfile (a DOKS context, DOCR-style registry), in a copy of
the project, at each round-trip time in --rtt-ms: --rounds pairs of a cold `tilt ci` (no astrid-api image
Tilt built, no build cache; with the bytes it pushed) and a warm one, then with `tilt up` running, save ->
new response through the forwarded port (--saves), and the forward's first 200 after the api pod is
deleted (--replacements). Prints one table and writes bench/results/loop-<time>.json. The toxics slow
everyone who uses the stand-in meanwhile, and the link's byte count includes their traffic.

  --rtt-ms 0,40,100    round-trip times; latency RTT/2 each way on toxiproxy's apiserver and registry
  --uplink-mbit 20     laptop -> cluster bandwidth (toxiproxy bandwidth, upstream); 0 = no cap
  --downlink-mbit 0    cluster -> laptop bandwidth (downstream); 0 = no cap (the default)
  --rounds 3 --saves 10 --replacements 3   per distance: cold + warm tilt ci pairs, saves, pod deletions
  --context (the current one) --namespace astrid-bench --tilt-port 10371 --api-port 18091

RTT 0 with no caps adds no toxics, so on a real DOKS cluster (its context allowed, Docker logged in to
DOCR) run `--rtt-ms 0 --uplink-mbit 0` and label the figures with your own distance."""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench import link, tilt_ci, tilt_up
from bench.report import BenchError, Figure, publish
from bench.tools import ROOT, run


def copy_project(into: Path) -> Path:
    for name in filter(None, run("git", "ls-files", "-z", "-co", "--exclude-standard", cwd=ROOT).split("\0")):
        if (ROOT / name).is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, into / name)
    (into / ".venv").symlink_to(ROOT / ".venv")
    run("git", "init", "-q", cwd=into)
    run("git", "config", "user.email", "bench@example.com", cwd=into)
    return into


def distance(project: Path, args: argparse.Namespace, rtt: int, tag: str) -> list[Figure]:
    tilt = ["--port", str(args.tilt_port)]
    settings = ["--allow-context", args.context, "--namespace", args.namespace, "--create-namespace"]
    settings += ["--api-port", str(args.api_port)]
    down = ["tilt", "down", "--", *settings]
    up_kbps, down_kbps = round(args.uplink_mbit * 125), round(args.downlink_mbit * 125)
    with link.link(rtt, up_kbps, down_kbps):
        ci = tilt_ci.rounds(project, ["tilt", "ci", *tilt, "--", *settings], down, args.rounds, tag)
        print(f"bench [{tag}]: tilt up: saves, then pod replacements", file=sys.stderr)
        with tilt_up.tilt_up(project, tilt, settings):
            saved = tilt_up.saves(project, args.api_port, args.saves)
            replaced = tilt_up.replacements(tilt, args.namespace, args.api_port, args.replacements)
    where = {"rtt_ms": rtt, "uplink_kbps": up_kbps or None, "downlink_kbps": down_kbps or None}
    port = f"localhost:{args.api_port}"
    figures = [
        Figure(f"{tag}: tilt ci, cold (build, push, deploy, all green)", "s", ci["cold"], ("<=", 300)),
        Figure(f"{tag}: tilt ci, warm", "s", ci["warm"], ("<=", 300)),
        Figure(f"{tag}: save → new response via {port}", "s", saved, ("<=", 1.0), "polled every 10 ms"),
        Figure(f"{tag}: pod deleted → {port}/health 200 again", "s", replaced),
    ]
    for step in tilt_ci.STEPS:
        if ci[step]:
            figures.append(Figure(f"{tag}: cold tilt ci, Tilt's {step} step", "s", ci[step]))
    bytes_notes = {
        "pushed": ("cold tilt ci, bytes pushed (est.)", "the layers Docker reported Pushed, gzip -6 each"),
        "layers": ("the image's layers, gzipped (est.)", "all layers: a push to a registry without the base"),
        "moved": (
            "cold tilt ci, bytes over the link",
            "toxiproxy-server's read bytes, both proxies and ways",
        ),
    }
    for key, (label, note) in bytes_notes.items():
        if ci[key]:
            figures.append(Figure(f"{tag}: {label}", "MB", ci[key], None, note))
    for figure in figures:
        figure.extra.update(where)
    return figures


def interrupted(*_: object) -> None:
    raise KeyboardInterrupt  # so that every finally runs: toxics removed, tilt up stopped, tilt down


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tilt_loop", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rtt-ms", default="0,40,100", help="round-trip times, comma-separated (0,40,100)")
    parser.add_argument("--uplink-mbit", type=float, default=20, help="uplink Mbit/s, 0 = no cap (20)")
    parser.add_argument("--downlink-mbit", type=float, default=0, help="downlink Mbit/s, 0 = no cap (0)")
    parser.add_argument("--rounds", type=int, default=3, help="cold + warm tilt ci pairs per distance (3)")
    parser.add_argument("--saves", type=int, default=10, help="saves to time per distance (10)")
    parser.add_argument("--replacements", type=int, default=3, help="pod deletions per distance (3)")
    parser.add_argument("--context", default="", help="kube context Tilt may deploy to (the current one)")
    parser.add_argument("--namespace", default="astrid-bench", help="namespace to deploy into")
    parser.add_argument("--tilt-port", type=int, default=10371, help="Tilt's own API/UI port (10371)")
    parser.add_argument("--api-port", type=int, default=18091, help="the forwarded api port (18091)")
    args = parser.parse_args()
    if shutil.which("tilt") is None or not os.environ.get("KUBECONFIG"):
        print(
            "bench: needs tilt on PATH and KUBECONFIG naming the cluster (docs/performance.md, Rerun)",
            file=sys.stderr,
        )
        return 2
    args.context = args.context or run("kubectl", "config", "current-context").strip()
    signal.signal(signal.SIGTERM, interrupted)
    started, figures, failures = datetime.now(UTC), [], []
    commit = run("git", "rev-parse", "--short", "HEAD", cwd=ROOT).strip()  # the tree the copy is made from
    rtts = [int(x) for x in args.rtt_ms.split(",")]
    with tempfile.TemporaryDirectory(prefix="astrid-bench-loop-") as tmp:
        project = copy_project(Path(tmp))
        for rtt in rtts:
            tag = f"{rtt} ms" + (f", {args.uplink_mbit:g} Mbit/s up" if args.uplink_mbit else "")
            try:
                figures += distance(project, args, rtt, tag)
            except (BenchError, subprocess.TimeoutExpired) as exc:
                failures.append(f"{tag}: {exc}")
                print(f"bench [{tag}]: FAILED: {exc}", file=sys.stderr)
            finally:
                down = ["tilt", "down", "--delete-namespaces", "--", "--allow-context", args.context]
                down += [
                    "--namespace",
                    args.namespace,
                    "--create-namespace",
                    "--api-port",
                    str(args.api_port),
                ]
                subprocess.run(down, cwd=project, capture_output=True, check=False, timeout=600)
        if (project / "tilt-up.log").exists():  # tilt up's own log, for a failure's story
            shutil.copy2(project / "tilt-up.log", ROOT / "bench" / "results" / "tilt-up-last.log")
    notes = [
        "tilt ci includes the venv, health (the smoke test) and pytest (app and chart tests) resources.",
        "Distance: toxiproxy between the laptop side (Tilt, kubectl, helm, Docker's push) and the API server"
        " and registry; latency RTT/2 each way; the node pulls at zero distance.",
        *failures,
    ]
    header = [f"real loop on {os.uname().nodename}, {os.cpu_count()} cores, context {args.context}"]
    publish("loop", started, commit, figures, notes, header)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
