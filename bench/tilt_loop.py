"""The real loop's figures at a distance: `make bench-loop` (CI's DOKS stand-in: docs/performance.md).

Real Tilt against the remote branch of the Tiltfile (a DOKS context, DOCR-style registry), in a copy of
the project, at each round-trip time in --rtt-ms: --rounds warm `tilt ci` runs, each after a cold one
(no astrid-api image Tilt built, no build cache; with the bytes it pushed) when --prune-build-cache
allows emptying Docker's build cache; then, with `tilt up` running, save -> new response through the
forwarded port (--saves), and the forward's first 200 after the api pod is deleted (--replacements).
Prints one table and writes bench/results/loop-<time>.json. The toxics slow everyone who uses the
stand-in meanwhile, and the link's byte count includes their traffic.

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
from bench.tools import ROOT, namespace_gone, run, tear_down


def copy_project(into: Path) -> Path:
    for name in filter(None, run("git", "ls-files", "-z", "-co", "--exclude-standard", cwd=ROOT).split("\0")):
        if (ROOT / name).is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, into / name)
    (into / ".venv").symlink_to(ROOT / ".venv")
    run("git", "init", "-q", cwd=into)
    run("git", "config", "user.email", "bench@example.com", cwd=into)
    return into


def loop_settings(args: argparse.Namespace) -> list[str]:
    """The Tiltfile's settings for the bench's loop: its own context, namespace and port."""
    ours = ["--allow-context", args.context, "--namespace", args.namespace, "--create-namespace"]
    return [*ours, "--api-port", str(args.api_port)]


def distance(project: Path, args: argparse.Namespace, rtt: int, tag: str) -> list[Figure]:
    tilt, settings = ["--port", str(args.tilt_port)], loop_settings(args)
    down = ["tilt", "down", "--", *settings]
    up_kbps, down_kbps = round(args.uplink_mbit * 125), round(args.downlink_mbit * 125)
    with link.link(rtt, up_kbps, down_kbps):
        ci_cmd = ["tilt", "ci", *tilt, "--", *settings]
        ci = tilt_ci.rounds(project, ci_cmd, down, args.rounds, tag, cold=args.prune_build_cache)
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
    figures = [figure for figure in figures if figure.runs]  # no cold rounds: no cold figure
    for figure in figures:
        figure.extra.update(where)
    return figures


def interrupted(*_: object) -> None:
    raise KeyboardInterrupt  # so that every finally runs: toxics removed, tilt up stopped, tilt down


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tilt_loop", description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add(
        "--rtt-ms", default="0,40,100", help="round-trip times, ms: RTT/2 each way on both proxies (0,40,100)"
    )
    add("--uplink-mbit", type=float, default=20, help="laptop -> cluster Mbit/s, 0 = no cap (20)")
    add("--downlink-mbit", type=float, default=0, help="cluster -> laptop Mbit/s, 0 = no cap (0)")
    rounds_help = "warm tilt ci runs per distance (3); with --prune-build-cache, each after a cold one"
    add("--rounds", type=int, default=3, help=rounds_help)
    add("--saves", type=int, default=10, help="saves to time per distance (10)")
    add("--replacements", type=int, default=3, help="pod deletions per distance (3)")
    add("--prune-build-cache", action="store_true", help="run the cold rounds: docker builder prune -af")
    add("--context", default="", help="kube context Tilt may deploy to (the current one)")
    add("--namespace", default="astrid-bench", help="namespace to deploy into (astrid-bench)")
    add("--tilt-port", type=int, default=10371, help="Tilt's own API/UI port (10371)")
    add("--api-port", type=int, default=18091, help="the forwarded api port (18091)")
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
        namespace_gone(args.namespace)  # an earlier run's, still terminating
        for rtt in rtts:
            tag = f"{rtt} ms" + (f", {args.uplink_mbit:g} Mbit/s up" if args.uplink_mbit else "")
            try:
                figures += distance(project, args, rtt, tag)
            except (BenchError, subprocess.TimeoutExpired) as exc:
                failures.append(f"{tag}: {exc}")
                print(f"bench [{tag}]: FAILED: {exc}", file=sys.stderr)
            finally:
                tear_down(project, loop_settings(args), args.namespace)
        if (project / "tilt-up.log").exists():  # tilt up's own log, for a failure's story
            shutil.copy2(project / "tilt-up.log", ROOT / "bench" / "results" / "tilt-up-last.log")
    notes = [
        "tilt ci includes the venv, health (the smoke test) and pytest (app and chart tests) resources.",
        "Distance: toxiproxy between the laptop side (Tilt, kubectl, helm, Docker's push) and the API server"
        " and registry; latency RTT/2 each way; the node pulls at zero distance.",
        *failures,
    ]
    if not args.prune_build_cache:
        notes.append("No cold tilt ci: it empties Docker's whole build cache; --prune-build-cache runs it.")
    header = [f"real loop on {os.uname().nodename}, {os.cpu_count()} cores, context {args.context}"]
    publish("loop", started, commit, figures, notes, header)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
