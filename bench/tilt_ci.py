"""The loop's `tilt ci` runs: cold (no image Tilt built, no build cache) and warm, timed."""

import re
import subprocess
import sys
import time
from pathlib import Path

from bench import link
from bench.tools import run

TILT_BUILT = ("registry.digitalocean.com/*/astrid-api:tilt-*", "astrid-api:tilt-*")  # never others' images


def timed(*argv: str, cwd: Path) -> tuple[float, str]:
    """Seconds argv took and its output; BenchError when it fails."""
    start = time.perf_counter()
    out = run(*argv, cwd=cwd, timeout=900)
    return time.perf_counter() - start, out


STEPS = ("build", "push", "deploy")  # astrid-api's steps as Tilt times them: "Step 2 - 1.23s (Pushing …)"


def steps(out: str) -> list[float]:
    """Tilt's own seconds for astrid-api's build, push and deploy (helm upgrade) steps, in that order."""
    return [float(x) for x in re.findall(r"astrid-api │\s+Step \d - ([\d.]+)s \(", out)][-3:]


def cold_run(project: Path, ci: list[str], found: dict[str, list[float]]) -> None:
    """One `tilt ci` with no astrid-api image Tilt built and an empty build cache (Docker's whole one):
    into `found`, its seconds, its build, push and deploy steps, and the bytes it pushed and moved."""
    refs = [x for r in TILT_BUILT for x in ("--filter", f"reference={r}")]
    images = set(run("docker", "images", "-q", *refs).split())
    subprocess.run(["docker", "rmi", "-f", *images], capture_output=True, check=False, timeout=300)
    subprocess.run(["docker", "builder", "prune", "-af"], capture_output=True, check=False, timeout=600)
    before = link.bytes_through()
    seconds, out = timed(*ci, cwd=project)
    found["cold"].append(seconds)
    for step, took in zip(STEPS, steps(out), strict=False):
        found[step].append(took)
    if before is not None:
        found["moved"].append(((link.bytes_through() or 0) - before) / 1e6)
    if (layers := link.pushed_bytes(out)) is not None:
        found["pushed"].append(layers[2] / 1e6)
        found["layers"].append(layers[3] / 1e6)
        print(f"  pushed {layers[0]} layers, {layers[1]} already in the registry", file=sys.stderr)


def rounds(
    project: Path, ci: list[str], down: list[str], n: int, tag: str, cold: bool
) -> dict[str, list[float]]:
    """n rounds of a cold `tilt ci` (only if `cold`: it empties Docker's whole build cache; otherwise one
    untimed `tilt ci` first) then a warm one, each followed by `tilt down`: seconds, the cold one's
    build, push and deploy steps, and the bytes it pushed and moved over the link (bench.link)."""
    found: dict[str, list[float]] = {k: [] for k in ("cold", "warm", "pushed", "layers", "moved", *STEPS)}
    if not cold:  # so that the first timed run finds what a warm one does: the image built and pushed
        print(f"bench [{tag}]: tilt ci to warm up (not timed)", file=sys.stderr)
        run(*ci, cwd=project, timeout=900)
        run(*down, cwd=project, timeout=600)
    for i in range(1, n + 1):
        if cold:
            what = "no Tilt-built image, no build cache"
            print(f"bench [{tag}]: cold tilt ci {i}/{n} ({what})", file=sys.stderr)
            cold_run(project, ci, found)
            run(*down, cwd=project, timeout=600)
        print(f"bench [{tag}]: warm tilt ci {i}/{n}", file=sys.stderr)
        found["warm"].append(timed(*ci, cwd=project)[0])
        run(*down, cwd=project, timeout=600)
    return found
